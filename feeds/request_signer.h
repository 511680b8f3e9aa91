// SignAsPlatform: signs a webhook request the way its platform does, under
// a given app, so that a captured request (feeds/captured_request.h) can be
// sent again to a depositd configured with a test secret: what
// `depositctl replay-hook` and the feeds' sample tests do.
//
//   absl::StatusOr<CapturedRequest> c = ParseCapturedRequest(text);
//   FeedApp app{"tt-app", "tt-secret", "", "", ""};
//   SignAsPlatform("tiktok", app, absl::Now(), &c->request);
//   // c->request now verifies with TikTokFeed configured with that app.
//
// What changes, per platform (the signatures are feeds/signatures.h's):
//   tiktok  the body's top-level "timestamp" becomes `signed_at` (seconds;
//           TikTok signs it and depositd refuses stale ones); Authorization
//   shopee  the same "timestamp"; Authorization over app.callback_url
//   douyin  app-id = app.app_key; event-sign (Douyin signs no time)
//   temu    x-tm-app-key = app.app_key, x-tm-timestamp = `signed_at` (ms);
//           the body is either Temu's envelope {"eventData": ...}, decrypted
//           with app.secret, or the decrypted event itself; either way it
//           is (re-)encrypted under app.secret; x-tm-signature over the
//           headers and the plaintext (with x-tm-ext-param when present)
//   amazon  nothing: Amazon signs nothing (a bearer token authenticates)
// Other bytes of the body stay as they are.
//
// Pure function. Thread-safe.
#ifndef DEPOSITD_FEEDS_REQUEST_SIGNER_H_
#define DEPOSITD_FEEDS_REQUEST_SIGNER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "feeds/feed.h"

namespace depositd::feeds {

// INVALID_ARGUMENT for an unknown platform, an app without what its
// platform signs with (secret; app key but for Shopee; Shopee:
// callback_url), a Temu request
// without x-tm-event-code or whose eventData does not decrypt with the
// secret (captured under another one: put the decrypted event as the body).
absl::Status SignAsPlatform(absl::string_view platform, const FeedApp& app,
                            absl::Time signed_at, FeedRequest* request);

// Replaces the value of `key` in the top-level object of `json` by
// `value` when it is a number there. False (and `json` unchanged) when the
// top level has no such number.
bool SetTopLevelNumber(absl::string_view key, int64_t value, std::string* json);

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_REQUEST_SIGNER_H_
