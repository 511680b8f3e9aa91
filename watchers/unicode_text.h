// Checks on text that arrives in events: well-formed UTF-8 and the Unicode
// characters an id must not hold.
//
// Ids (tenant, shop, event, order, dispute, fee, ...) are shown to people in
// alerts and on the console. Control characters (general category Cc: C0,
// DEL, C1) and format characters (Cf: e.g. U+202E RIGHT-TO-LEFT OVERRIDE,
// U+200D ZERO WIDTH JOINER, U+FEFF BOM) are invisible or reorder the text
// around them, so one shop's id could be made to look like another's.
//
// Pure functions; thread-safe.
#ifndef DEPOSITD_WATCHERS_UNICODE_TEXT_H_
#define DEPOSITD_WATCHERS_UNICODE_TEXT_H_

#include <cstddef>
#include <optional>

#include "absl/strings/string_view.h"

namespace depositd::watchers {

// The offset of the first byte of `s` that does not start or continue a
// well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF; the same rule protobuf applies to proto3
// strings), or absl::string_view::npos when all of `s` is well-formed.
size_t FirstInvalidUtf8(absl::string_view s);
inline bool IsWellFormedUtf8(absl::string_view s) {
  return FirstInvalidUtf8(s) == absl::string_view::npos;
}

// True for a code point of Unicode general category Cc (control) or Cf
// (format).
bool IsControlOrFormat(char32_t c);

// The first Cc or Cf code point of `s`, which must be well-formed UTF-8
// (ill-formed bytes are skipped one at a time), or nullopt.
std::optional<char32_t> FirstControlOrFormat(absl::string_view s);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_UNICODE_TEXT_H_
