// The Unicode characters an id must not hold. Whether text is well-formed
// UTF-8 at all is common/utf8.h (the one check, which this builds on).
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
#include "common/utf8.h"

namespace depositd::watchers {

// True for a code point of Unicode general category Cc (control) or Cf
// (format).
bool IsControlOrFormat(char32_t c);

// The first Cc or Cf code point of `s`, which must be well-formed UTF-8
// (ill-formed bytes are skipped one at a time), or nullopt.
std::optional<char32_t> FirstControlOrFormat(absl::string_view s);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_UNICODE_TEXT_H_
