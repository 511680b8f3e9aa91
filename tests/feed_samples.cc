#include "tests/feed_samples.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "feeds/amazon_feed.h"
#include "feeds/douyin_feed.h"
#include "feeds/request_signer.h"
#include "feeds/shopee_feed.h"
#include "feeds/temu_feed.h"
#include "feeds/tiktok_feed.h"
#include "tests/temp_files.h"

namespace depositd::feeds::samples {
namespace {

namespace dv1 = ::depositd::v1;

std::string Summary(const dv1::Event& e) {
  const std::string& shop = e.shop_id();
  switch (e.body_case()) {
    case dv1::Event::kOrderStatusChanged:
      return absl::StrCat(
          shop, " order ", e.order_status_changed().order_id(), " ",
          dv1::OrderStatus_Name(e.order_status_changed().status()));
    case dv1::Event::kDisputeOpened:
      return absl::StrCat(shop, " dispute_opened ",
                          e.dispute_opened().dispute_id(), " ",
                          dv1::DisputeKind_Name(e.dispute_opened().kind()));
    case dv1::Event::kDisputeResponded:
      return absl::StrCat(shop, " dispute_responded ",
                          e.dispute_responded().dispute_id());
    case dv1::Event::kDisputeResolved:
      return absl::StrCat(
          shop, " dispute_resolved ", e.dispute_resolved().dispute_id(), " ",
          dv1::DisputeOutcome_Name(e.dispute_resolved().outcome()));
    case dv1::Event::kDisputeDeadlineChanged:
      return absl::StrCat(
          shop, " dispute_deadline_changed ",
          e.dispute_deadline_changed().dispute_id(), " ",
          e.dispute_deadline_changed().response_due_at().seconds());
    case dv1::Event::kFeedAuthorizationChanged: {
      const auto& b = e.feed_authorization_changed();
      return absl::StrCat(
          shop, " authorization ", dv1::FeedAuthorization_Name(b.state()),
          b.has_expires_at() ? absl::StrCat(" ", b.expires_at().seconds())
                             : "");
    }
    case dv1::Event::kViolationRecorded:
      return absl::StrCat(shop, " violation_recorded ",
                          e.violation_recorded().violation_id(), " ",
                          e.violation_recorded().kind());
    case dv1::Event::kViolationResolved:
      return absl::StrCat(shop, " violation_resolved ",
                          e.violation_resolved().violation_id());
    default:
      return absl::StrCat(shop, " unexpected body ", e.body_case());
  }
}

}  // namespace

const std::vector<std::string>& Platforms() {
  static const auto* kPlatforms = new std::vector<std::string>{
      "tiktok", "douyin", "shopee", "temu", "amazon"};
  return *kPlatforms;
}

FeedApp TestApp(absl::string_view platform) {
  if (platform == "tiktok") return {"tt-app", "tt-secret", "acme", "", ""};
  if (platform == "douyin") return {"7001", "dy-secret", "acme", "", ""};
  if (platform == "shopee") {
    return {"2001234", "sp-key", "acme", kShopeeUrl, ""};
  }
  if (platform == "temu") {
    return {"temu-app", "12345678abcdefgh", "acme", "", "temu-shop"};
  }
  return {"", "", "acme", "", ""};
}

std::vector<std::string> SampleFiles(absl::string_view platform,
                                     absl::string_view prefix) {
  std::vector<std::string> out;
  const std::filesystem::path dir =
      std::filesystem::path(DEPOSITD_FEED_SAMPLES_DIR) / std::string(platform);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, ".req") && absl::StartsWith(name, prefix)) {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<Sample> LoadSample(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<CapturedRequest> captured = ParseCapturedRequest(text.str());
  if (!captured.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", captured.status().message()));
  }
  Sample s;
  s.path = path;
  s.captured = *std::move(captured);
  for (const std::string& c : s.captured.comments) {
    absl::string_view line = c;
    if (absl::ConsumePrefix(&line, "expect: ")) s.expect.emplace_back(line);
  }
  return s;
}

absl::StatusOr<FeedRequest> SignedSample(absl::string_view platform,
                                         const Sample& sample,
                                         absl::Time signed_at) {
  FeedRequest r = sample.captured.request;
  if (absl::Status s =
          SignAsPlatform(platform, TestApp(platform), signed_at, &r);
      !s.ok()) {
    return s;
  }
  return r;
}

absl::StatusOr<FeedDelivery> MapInProcess(absl::string_view platform,
                                          const FeedRequest& request,
                                          absl::Time now) {
  const FeedApp app = TestApp(platform);
  absl::StatusOr<std::unique_ptr<PlatformFeed>> feed =
      absl::InvalidArgumentError(absl::StrCat("unknown platform ", platform));
  if (platform == "amazon") {
    return ReceiveAmazonNotification(request.body, app.tenant);
  }
  if (platform == "tiktok") feed = TikTokFeed::Create({{app}});
  if (platform == "douyin") feed = DouyinFeed::Create({{app}});
  if (platform == "shopee") feed = ShopeeFeed::Create({{app}});
  if (platform == "temu") feed = TemuFeed::Create({{app}});
  if (!feed.ok()) return feed.status();
  return (*feed)->Receive(request, now);
}

std::string WriteFeedsConfig(const std::string& dir) {
  std::string text = "feeds {\n";
  for (const std::string& platform : Platforms()) {
    if (platform == "amazon") continue;
    const FeedApp app = TestApp(platform);
    const std::string secret =
        integration::WriteFile(dir, platform + ".secret", app.secret + "\n");
    chmod(secret.c_str(), 0600);
    absl::StrAppend(&text, "  ", platform, " { apps { app_key: \"", app.app_key,
                    "\" secret_file: \"", secret, "\" tenant: \"", app.tenant,
                    "\"");
    if (!app.callback_url.empty()) {
      absl::StrAppend(&text, " callback_url: \"", app.callback_url, "\"");
    }
    if (!app.default_shop_id.empty()) {
      absl::StrAppend(&text, " default_shop_id: \"", app.default_shop_id, "\"");
    }
    absl::StrAppend(&text, " } }\n");
  }
  absl::StrAppend(&text, "  amazon { enabled: true }\n}\n");
  return integration::WriteFile(dir, "depositd.textproto", text);
}

std::vector<std::string> Summaries(const FeedDelivery& delivery) {
  std::vector<std::string> out;
  for (const auto& e : delivery.events) out.push_back(Summary(e));
  out.insert(out.end(), delivery.ignored, "ignored");
  out.insert(out.end(), delivery.unknown_types, "unknown");
  if (delivery.verification) out.push_back("verification");
  return out;
}

}  // namespace depositd::feeds::samples
