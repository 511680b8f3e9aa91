#include "feeds/request_signer.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "depositd/feeds/v1/temu.pb.h"
#include "feeds/canonical_event.h"
#include "feeds/signatures.h"

namespace depositd::feeds {
namespace {

// The end of the JSON string starting at `json[quote]` (the index after its
// closing quote), or npos.
size_t StringEnd(absl::string_view json, size_t quote) {
  for (size_t i = quote + 1; i < json.size(); ++i) {
    if (json[i] == '\\') {
      ++i;
    } else if (json[i] == '"') {
      return i + 1;
    }
  }
  return absl::string_view::npos;
}

size_t SkipSpace(absl::string_view json, size_t i) {
  while (i < json.size() && absl::ascii_isspace(json[i])) ++i;
  return i;
}

// Temu: the plaintext event of a captured body (its envelope decrypted, or
// the body itself when it is not an envelope).
absl::StatusOr<std::string> TemuPlaintext(const FeedApp& app,
                                          const std::string& body) {
  feeds::v1::TemuEnvelope envelope;
  if (!ParseJson(body, "", &envelope).ok() || envelope.event_data().empty()) {
    return body;
  }
  std::string ciphertext;
  if (!absl::Base64Unescape(envelope.event_data(), &ciphertext)) {
    return absl::InvalidArgumentError("eventData is not base64");
  }
  absl::StatusOr<std::string> plain = DecryptAes128Cbc(app.secret, ciphertext);
  if (!plain.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        plain.status().message(),
        ". A request captured under another app secret: put the decrypted "
        "event as the body instead"));
  }
  return plain;
}

absl::Status SignTemu(const FeedApp& app, absl::Time signed_at,
                      FeedRequest* request) {
  if (request->Header("x-tm-event-code").empty()) {
    return absl::InvalidArgumentError(
        "a Temu request needs its x-tm-event-code header (e.g. "
        "bg_order_status_change_event)");
  }
  absl::StatusOr<std::string> plain = TemuPlaintext(app, request->body);
  if (!plain.ok()) return plain.status();
  absl::StatusOr<std::string> cipher = EncryptAes128Cbc(app.secret, *plain);
  if (!cipher.ok()) return cipher.status();
  request->body =
      absl::StrCat(R"({"eventData":")", absl::Base64Escape(*cipher), R"("})");
  request->headers["x-tm-app-key"] = app.app_key;
  request->headers["x-tm-timestamp"] =
      absl::StrCat(absl::ToUnixMillis(signed_at));
  request->headers.erase("x-tm-signature");
  request->headers["x-tm-signature"] =
      TemuSignature(app, *request, *plain, true);
  return absl::OkStatus();
}

}  // namespace

bool SetTopLevelNumber(absl::string_view key, int64_t value,
                       std::string* json) {
  const absl::string_view text = *json;
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '"') {
      const size_t end = StringEnd(text, i);
      if (end == absl::string_view::npos) return false;
      const size_t colon = SkipSpace(text, end);
      if (depth == 1 && colon < text.size() && text[colon] == ':' &&
          text.substr(i + 1, end - i - 2) == key) {
        const size_t from = SkipSpace(text, colon + 1);
        size_t to = from;
        while (to < text.size() &&
               (absl::ascii_isdigit(text[to]) || text[to] == '-')) {
          ++to;
        }
        if (to == from) return false;
        json->replace(from, to - from, absl::StrCat(value));
        return true;
      }
      i = end - 1;
    }
  }
  return false;
}

absl::Status SignAsPlatform(absl::string_view platform, const FeedApp& app,
                            absl::Time signed_at, FeedRequest* request) {
  if (platform == "amazon") return absl::OkStatus();
  if (app.secret.empty() || (platform != "shopee" && app.app_key.empty())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signing as ", platform, " needs the app key and its secret"));
  }
  const int64_t seconds = absl::ToUnixSeconds(signed_at);
  if (platform == "tiktok") {
    SetTopLevelNumber("timestamp", seconds, &request->body);
    request->headers["authorization"] = TikTokSignature(app, request->body);
  } else if (platform == "shopee") {
    if (app.callback_url.empty()) {
      return absl::InvalidArgumentError(
          "signing as shopee needs the callback URL exactly as configured "
          "(Shopee signs it)");
    }
    SetTopLevelNumber("timestamp", seconds, &request->body);
    request->headers["authorization"] = ShopeeSignature(app, request->body);
  } else if (platform == "douyin") {
    request->headers["app-id"] = app.app_key;
    request->headers["event-sign"] = DouyinSignature(app, request->body);
  } else if (platform == "temu") {
    return SignTemu(app, signed_at, request);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown platform \"", platform,
                     "\" (tiktok, douyin, shopee, temu or amazon)"));
  }
  return absl::OkStatus();
}

}  // namespace depositd::feeds
