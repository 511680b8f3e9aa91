// The feeds' sample requests: tests/data/feeds/<platform>/*.req, captured-
// request files (feeds/captured_request.h) whose "# expect: ..." comments
// say what each maps to, one line per event, then "ignored" / "unknown"
// per message that maps to none, then "verification" (Douyin's push).
// Files named seq-N-* form the platform's sample sequence (an order placed
// to a deauthorization, as far as the platform's feed carries it).
//
// The test apps below are the ones the feeds tests configure (the e2e
// tests write them into the daemon's config), so a sample signed with
// SignedSample verifies there. Used by feeds_test, feeds_e2e_test and
// depositctl's replay-hook test.
//
// Thread-safe (functions over files that do not change during a run).
#ifndef DEPOSITD_TESTS_FEED_SAMPLES_H_
#define DEPOSITD_TESTS_FEED_SAMPLES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "feeds/captured_request.h"
#include "feeds/feed.h"

namespace depositd::feeds::samples {

// Shopee's callback URL in the test config (it is signed).
inline constexpr char kShopeeUrl[] = "https://hooks.example.com/hooks/shopee";

// "tiktok", "douyin", "shopee", "temu", "amazon".
const std::vector<std::string>& Platforms();

// The platform's test app (Amazon: only the tenant, "acme").
FeedApp TestApp(absl::string_view platform);

// The sample files of `platform` whose names start with `prefix`, sorted.
std::vector<std::string> SampleFiles(absl::string_view platform,
                                     absl::string_view prefix = "");

struct Sample {
  std::string path;
  CapturedRequest captured;
  // The "expect: " comments, in order.
  std::vector<std::string> expect;
};

absl::StatusOr<Sample> LoadSample(const std::string& path);

// The sample's request signed as `platform` with TestApp(platform) at
// `signed_at` (feeds/request_signer.h).
absl::StatusOr<FeedRequest> SignedSample(absl::string_view platform,
                                         const Sample& sample,
                                         absl::Time signed_at);

// Maps `request` as depositd's receiver for `platform` would, in-process,
// with TestApp(platform) configured (Amazon: for tenant "acme"), at `now`.
absl::StatusOr<FeedDelivery> MapInProcess(absl::string_view platform,
                                          const FeedRequest& request,
                                          absl::Time now);

// Writes a depositd config serving every platform with its test app (and
// /hooks/amazon), the secrets in chmod 600 files beside it, into `dir`;
// returns the config's path (for --config).
std::string WriteFeedsConfig(const std::string& dir);

// One line per event of `delivery` in the "expect:" form
// ("<shop> order <id> <STATUS>", "<shop> dispute_opened <id> <KIND>", …),
// then "ignored" × ignored, "unknown" × unknown_types, "verification".
std::vector<std::string> Summaries(const FeedDelivery& delivery);

}  // namespace depositd::feeds::samples

#endif  // DEPOSITD_TESTS_FEED_SAMPLES_H_
