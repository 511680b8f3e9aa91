// The platforms' signature and encryption primitives, on OpenSSL EVP, a
// constant-time comparison of hex digests, and each platform's signature of
// a request: what the feeds verify and what `depositctl replay-hook` signs
// with (one definition for both).
//
// Pure functions. Thread-safe.
#ifndef DEPOSITD_FEEDS_SIGNATURES_H_
#define DEPOSITD_FEEDS_SIGNATURES_H_

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "feeds/feed.h"

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

// Each platform's signature (lower-case hex) of a request.
//
// TikTok Shop `Authorization`: HMAC-SHA256(app_secret, app_key + body).
std::string TikTokSignature(const FeedApp& app, absl::string_view body);
// Shopee `Authorization`: HMAC-SHA256(partner_key, callback_url + "|" +
// body).
std::string ShopeeSignature(const FeedApp& app, absl::string_view body);
// Douyin `event-sign`: MD5(app_key + body + app_secret).
std::string DouyinSignature(const FeedApp& app, absl::string_view body);
// Temu `x-tm-signature`: HMAC-SHA256(app_secret, TemuSignatureBase(...)).
std::string TemuSignature(const FeedApp& app, const FeedRequest& request,
                          absl::string_view plaintext, bool with_ext_param);

// Temu's signature base string: "eventData" + the decrypted plaintext, then
// each x-tm-* header of `request` but the signature, sorted by name, as
// name + value (x-tm-ext-param only when `with_ext_param` and present).
std::string TemuSignatureBase(const FeedRequest& request,
                              absl::string_view plaintext, bool with_ext_param);

// The first of `apps` whose `sign(app)` equals `signature` (HexDigestEquals),
// or nullptr when none does. For platforms whose requests do not name the
// app (TikTok, Shopee): each configured app's secret is tried in turn.
//   FindSigningApp(apps, header, [&](const FeedApp& a) {
//     return TikTokSignature(a, body);
//   });
const FeedApp* FindSigningApp(
    const std::vector<FeedApp>& apps, absl::string_view signature,
    absl::FunctionRef<std::string(const FeedApp&)> sign);

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_SIGNATURES_H_
