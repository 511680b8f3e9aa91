#include "feeds/signatures.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace depositd::feeds {
namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), n));
}

std::string DigestHex(const EVP_MD* md, absl::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(message.data(), message.size(), out, &n, md, nullptr);
  return Hex(out, n);
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

absl::StatusOr<std::string> Aes128Cbc(absl::string_view secret,
                                      absl::string_view in, bool encrypt) {
  if (secret.size() < 16) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the app secret has ", secret.size(),
        " bytes; AES-128 needs at least 16 (key = IV = its first 16)"));
  }
  const auto* key = reinterpret_cast<const unsigned char*>(secret.data());
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr || EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr,
                                          key, key, encrypt ? 1 : 0) != 1) {
    return absl::InternalError("OpenSSL could not set up AES-128-CBC");
  }
  std::string out(in.size() + 16, '\0');
  int n = 0;
  int tail = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_CipherUpdate(ctx.get(), o, &n,
                       reinterpret_cast<const unsigned char*>(in.data()),
                       static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), o + n, &tail) != 1) {
    return absl::InvalidArgumentError(
        encrypt ? "AES-128-CBC encryption failed"
                : "eventData does not decrypt with the app secret "
                  "(AES-128-CBC, PKCS#5): wrong secret, or not a whole "
                  "number of 16-byte blocks");
  }
  out.resize(static_cast<size_t>(n + tail));
  return out;
}

}  // namespace

std::string HmacSha256Hex(absl::string_view key, absl::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       out, &n);
  return Hex(out, n);
}

std::string Md5Hex(absl::string_view message) {
  return DigestHex(EVP_md5(), message);
}

std::string Sha256Hex(absl::string_view message) {
  return DigestHex(EVP_sha256(), message);
}

bool HexDigestEquals(absl::string_view given, absl::string_view expected) {
  const std::string g =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(given));
  if (g.size() != expected.size() || expected.empty()) return false;
  return CRYPTO_memcmp(g.data(), expected.data(), g.size()) == 0;
}

absl::StatusOr<std::string> DecryptAes128Cbc(absl::string_view secret,
                                             absl::string_view ciphertext) {
  return Aes128Cbc(secret, ciphertext, false);
}

absl::StatusOr<std::string> EncryptAes128Cbc(absl::string_view secret,
                                             absl::string_view plaintext) {
  return Aes128Cbc(secret, plaintext, true);
}

std::string TikTokSignature(const FeedApp& app, absl::string_view body) {
  return HmacSha256Hex(app.secret, absl::StrCat(app.app_key, body));
}

std::string ShopeeSignature(const FeedApp& app, absl::string_view body) {
  return HmacSha256Hex(app.secret, absl::StrCat(app.callback_url, "|", body));
}

std::string DouyinSignature(const FeedApp& app, absl::string_view body) {
  return Md5Hex(absl::StrCat(app.app_key, body, app.secret));
}

std::string TemuSignature(const FeedApp& app, const FeedRequest& request,
                          absl::string_view plaintext, bool with_ext_param) {
  return HmacSha256Hex(app.secret,
                       TemuSignatureBase(request, plaintext, with_ext_param));
}

std::string TemuSignatureBase(const FeedRequest& request,
                              absl::string_view plaintext,
                              bool with_ext_param) {
  // Sorted by name: "eventData" < "x-tm-app-key" < "x-tm-event-code" <
  // "x-tm-ext-param" < "x-tm-timestamp".
  std::string base = absl::StrCat("eventData", plaintext);
  for (const char* name : {"x-tm-app-key", "x-tm-event-code", "x-tm-ext-param",
                           "x-tm-timestamp"}) {
    if (!with_ext_param && absl::string_view(name) == "x-tm-ext-param") {
      continue;
    }
    auto it = request.headers.find(name);
    if (it != request.headers.end()) absl::StrAppend(&base, name, it->second);
  }
  return base;
}

const FeedApp* FindSigningApp(
    const std::vector<FeedApp>& apps, absl::string_view signature,
    absl::FunctionRef<std::string(const FeedApp&)> sign) {
  for (const FeedApp& app : apps) {
    if (HexDigestEquals(signature, sign(app))) return &app;
  }
  return nullptr;
}

}  // namespace depositd::feeds
