// Byte encodings that Abseil 20220623 does not offer. For the ones it does,
// call it directly:
//   base64 (RFC 4648, '=' padded)  absl::Base64Escape / absl::Base64Unescape
//   base64url, unpadded            absl::WebSafeBase64Escape / ...Unescape
//   lower-case hex                 absl::BytesToHexString
// (all in absl/strings/escaping.h; common/encodings_test.cc pins their
// output for the formats depositd's receivers check).
//
// Pure functions; thread-safe.
#ifndef DEPOSITD_COMMON_ENCODINGS_H_
#define DEPOSITD_COMMON_ENCODINGS_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace depositd::common {

// RFC 3986 percent-encoding for a query value: the unreserved characters
// (A-Z a-z 0-9 - . _ ~) as they are, every other byte as %XX with
// upper-case hex ("a+b" -> "a%2Bb"). Hand-written: outside libcurl (which
// the pure layers do not link) no library we use has it.
std::string PercentEncode(absl::string_view s);

// The bytes that `hex` (two digits per byte, either case) encodes, or
// nullopt when its length is odd or it holds anything but hex digits.
// absl::HexStringToBytes in Abseil 20220623 does not check its input, so
// this checks and then calls it.
std::optional<std::string> HexToBytes(absl::string_view hex);

}  // namespace depositd::common

#endif  // DEPOSITD_COMMON_ENCODINGS_H_
