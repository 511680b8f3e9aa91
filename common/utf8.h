// The one UTF-8 well-formedness check, and the decoder it is built on.
//
// Well-formed means RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF (the rule protobuf applies to proto3 strings). Hand-written
// because no library we link offers it as public API: protobuf's check is
// google::protobuf::internal (utf8_validity), and Abseil 20220623 has none.
//
//   FirstInvalidUtf8("ok\x80") -> 2
//   ReplaceInvalidUtf8("a\x80") -> "a\uFFFD"
//
// Pure functions; thread-safe.
#ifndef DEPOSITD_COMMON_UTF8_H_
#define DEPOSITD_COMMON_UTF8_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace depositd::common {

// Decodes the well-formed sequence that starts at s[i] (i < s.size()) into
// *code_point and returns its length in bytes (1 to 4), or returns 0 when
// the bytes there do not start a well-formed sequence (then *code_point is
// left as it was).
size_t DecodeUtf8At(absl::string_view s, size_t i, char32_t* code_point);

// The offset of the first byte of `s` that does not start or continue a
// well-formed UTF-8 sequence, or absl::string_view::npos when all of `s` is
// well-formed.
size_t FirstInvalidUtf8(absl::string_view s);
inline bool IsWellFormedUtf8(absl::string_view s) {
  return FirstInvalidUtf8(s) == absl::string_view::npos;
}

// `s` with every byte that does not start a well-formed sequence replaced
// by U+FFFD REPLACEMENT CHARACTER (one per byte: "\xe5\xba" cut short
// gives two); `s` as it is when it is well-formed. For text that goes to a
// printer that would drop or refuse such bytes (protobuf's JSON printer
// drops them).
std::string ReplaceInvalidUtf8(absl::string_view s);

}  // namespace depositd::common

#endif  // DEPOSITD_COMMON_UTF8_H_
