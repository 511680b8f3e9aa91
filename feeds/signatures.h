// The platforms' signature and encryption primitives, on OpenSSL EVP, and a
// constant-time comparison of hex digests.
//
// Pure functions. Thread-safe.
#ifndef DEPOSITD_FEEDS_SIGNATURES_H_
#define DEPOSITD_FEEDS_SIGNATURES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace depositd::feeds {

// Lower-case hex HMAC-SHA256 of `message` under `key`.
std::string HmacSha256Hex(absl::string_view key, absl::string_view message);

// Lower-case hex MD5 of `message` (Douyin's event-sign).
std::string Md5Hex(absl::string_view message);

// Lower-case hex SHA-256 of `message`.
std::string Sha256Hex(absl::string_view message);

// True when `given` (hex, any case, surrounding spaces ignored) equals
// `expected` (lower-case hex). The comparison of equal-length digests takes
// the same time wherever they differ (CRYPTO_memcmp), so a caller cannot
// learn a signature byte by byte.
bool HexDigestEquals(absl::string_view given, absl::string_view expected);

// AES-128-CBC with PKCS#5 padding, key = IV = the first 16 bytes of
// `secret` (Temu). INVALID_ARGUMENT when the secret is shorter than 16
// bytes, or the ciphertext does not decrypt (wrong length or padding: a
// wrong secret usually shows up as bad padding).
absl::StatusOr<std::string> DecryptAes128Cbc(absl::string_view secret,
                                             absl::string_view ciphertext);

// The inverse, for tests and for depositctl's replay of captured requests.
absl::StatusOr<std::string> EncryptAes128Cbc(absl::string_view secret,
                                             absl::string_view plaintext);

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_SIGNATURES_H_
