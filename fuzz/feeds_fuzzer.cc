// Fuzz targets: one platform's webhook request parser (feeds/), built once
// per platform (DEPOSITD_FEED_PLATFORM: tiktok, douyin, shopee, temu,
// amazon). The input is the request BODY; the fuzzer signs it with the
// configured secret (Temu: encrypts it as eventData and signs the
// plaintext), so every input reaches the parser and the mapping, not just
// the signature check. Checks, for any input:
//   - an error is INVALID_ARGUMENT or FAILED_PRECONDITION (the signature
//     always holds) with a message;
//   - OK: the tenant is the app's; every event has an id of 1-128 bytes,
//     the tenant, a shop, an event time and exactly one body; the
//     request maps the same way twice (ids are stable).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "feeds/amazon_feed.h"
#include "feeds/douyin_feed.h"
#include "feeds/shopee_feed.h"
#include "feeds/signatures.h"
#include "feeds/temu_feed.h"
#include "feeds/tiktok_feed.h"
#include "fuzz/fuzz_checks.h"

namespace {

using depositd::feeds::FeedApp;
using depositd::feeds::FeedDelivery;
using depositd::feeds::FeedRequest;
using depositd::fuzz::Require;

constexpr char kSecret[] = "12345678abcdefgh";
constexpr char kUrl[] = "https://hooks.example.com/hooks/shopee";
const absl::Time kNow = absl::FromUnixSeconds(1730000000);

absl::StatusOr<FeedDelivery> Receive(absl::string_view body) {
  const FeedApp app{"app-1", kSecret, "acme", kUrl, "default-shop"};
  FeedRequest r;
  const std::string platform = DEPOSITD_FEED_PLATFORM;
  if (platform == "amazon") {
    return depositd::feeds::ReceiveAmazonNotification(body, "acme");
  }
  if (platform == "temu") {
    absl::StatusOr<std::string> c =
        depositd::feeds::EncryptAes128Cbc(kSecret, body);
    r.body = absl::StrCat(R"({"eventData":")", absl::Base64Escape(*c), R"("})");
    r.headers = {{"x-tm-app-key", "app-1"},
                 {"x-tm-event-code", "bg_order_status_change_event"},
                 {"x-tm-timestamp", "1730000000000"},
                 {"x-tm-ext-param", "{}"}};
    r.headers["x-tm-signature"] =
        depositd::feeds::TemuSignature(app, r, body, true);
    depositd::feeds::TemuFeed::Options o;
    o.apps = {app};
    return (*depositd::feeds::TemuFeed::Create(o))->Receive(r, kNow);
  }
  r.body = std::string(body);
  if (platform == "tiktok") {
    r.headers["authorization"] = depositd::feeds::TikTokSignature(app, body);
    depositd::feeds::TikTokFeed::Options o;
    o.apps = {app};
    return (*depositd::feeds::TikTokFeed::Create(o))->Receive(r, kNow);
  }
  if (platform == "douyin") {
    r.headers["app-id"] = "app-1";
    r.headers["event-sign"] = depositd::feeds::DouyinSignature(app, body);
    depositd::feeds::DouyinFeed::Options o;
    o.apps = {app};
    return (*depositd::feeds::DouyinFeed::Create(o))->Receive(r, kNow);
  }
  r.headers["authorization"] = depositd::feeds::ShopeeSignature(app, body);
  depositd::feeds::ShopeeFeed::Options o;
  o.apps = {app};
  return (*depositd::feeds::ShopeeFeed::Create(o))->Receive(r, kNow);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view body(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<FeedDelivery> d = Receive(body);
  if (!d.ok()) {
    const absl::StatusCode c = d.status().code();
    Require(c == absl::StatusCode::kInvalidArgument ||
                c == absl::StatusCode::kFailedPrecondition ||
                (std::string(DEPOSITD_FEED_PLATFORM) == "shopee" &&
                 c == absl::StatusCode::kPermissionDenied),
            "a refused request is malformed or stale (the signature holds)",
            d.status().ToString());
    Require(!d.status().message().empty(), "a refusal says why");
    return 0;
  }
  Require(d->tenant == "acme", "the app's tenant", d->tenant);
  for (const auto& e : d->events) {
    Require(!e.event_id().empty() && e.event_id().size() <= 128,
            "an event id of 1-128 bytes", e.event_id());
    Require(e.tenant() == "acme", "the app's tenant", e.tenant());
    Require(!e.shop_id().empty(), "a shop", e.DebugString());
    Require(e.has_occurred_at(), "an event time", e.DebugString());
    Require(e.body_case() != depositd::v1::Event::BODY_NOT_SET, "a body",
            e.DebugString());
  }
  const absl::StatusOr<FeedDelivery> again = Receive(body);
  Require(again.ok() && again->events.size() == d->events.size(),
          "the same request maps the same way twice");
  for (size_t i = 0; i < d->events.size(); ++i) {
    Require(again->events[i].SerializeAsString() ==
                d->events[i].SerializeAsString(),
            "stable events", d->events[i].event_id());
  }
  return 0;
}
