// Every sample request of tests/data/feeds/<platform>/ (tests/
// feed_samples.h), signed as its platform with the test app, maps to what
// its "# expect:" lines say: together they cover every mapped type and
// status of docs/feeds.md's tables. A platform's retry of a sample (the
// same bytes; Temu: re-signed with a later x-tm-timestamp) maps to
// byte-identical events, so the engine answers it DUPLICATE (checked
// through the real binary in tests/feeds_e2e_test.cc).
#include "tests/feed_samples.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "feeds/request_signer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace depositd::feeds {
namespace {

using ::testing::ElementsAreArray;

// Just before the e2e tests' daemon clock (2026-03-05T00:00:00Z).
const absl::Time kSignedAt = absl::FromUnixSeconds(1772668740);

absl::StatusOr<FeedDelivery> Deliver(const std::string& platform,
                                     const FeedRequest& request) {
  return samples::MapInProcess(platform, request, kSignedAt);
}

std::string Serialized(const FeedDelivery& d) {
  std::string out;
  for (const auto& e : d.events) out += e.SerializeAsString();
  return out;
}

class FeedSamplesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FeedSamplesTest, EachSampleMapsAsExpectedAndRetriesIdentically) {
  const std::string& platform = GetParam();
  const std::vector<std::string> files = samples::SampleFiles(platform);
  ASSERT_GE(files.size(), 8u) << "samples of " << platform;
  ASSERT_FALSE(samples::SampleFiles(platform, "seq-").empty());
  for (const std::string& path : files) {
    SCOPED_TRACE(path);
    absl::StatusOr<samples::Sample> sample = samples::LoadSample(path);
    ASSERT_TRUE(sample.ok()) << sample.status();
    ASSERT_FALSE(sample->expect.empty()) << "no \"# expect:\" line";
    EXPECT_EQ(sample->captured.path, "/hooks/" + platform);
    absl::StatusOr<FeedRequest> request =
        samples::SignedSample(platform, *sample, kSignedAt);
    ASSERT_TRUE(request.ok()) << request.status();
    absl::StatusOr<FeedDelivery> d = Deliver(platform, *request);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->tenant, "acme");
    EXPECT_THAT(samples::Summaries(*d), ElementsAreArray(sample->expect))
        << absl::StrJoin(samples::Summaries(*d), "\n");
    // The platform's retry.
    FeedRequest retry = *request;
    if (platform == "temu") {
      absl::StatusOr<FeedRequest> later = samples::SignedSample(
          platform, *sample, kSignedAt + absl::Minutes(2));
      ASSERT_TRUE(later.ok()) << later.status();
      EXPECT_NE(later->headers["x-tm-timestamp"],
                request->headers["x-tm-timestamp"]);
      retry = *later;
    }
    absl::StatusOr<FeedDelivery> again = Deliver(platform, retry);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(Serialized(*again), Serialized(*d));
  }
}

// A sample tampered with after signing is refused (Amazon signs nothing:
// its token is checked by the daemon, tests/feeds_e2e_test.cc).
class SignedFeedSamplesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SignedFeedSamplesTest, TruncatedOrWronglySignedSamplesAreRefused) {
  const std::string& platform = GetParam();
  for (const std::string& path : samples::SampleFiles(platform, "seq-")) {
    SCOPED_TRACE(path);
    absl::StatusOr<samples::Sample> sample = samples::LoadSample(path);
    ASSERT_TRUE(sample.ok()) << sample.status();
    absl::StatusOr<FeedRequest> request =
        samples::SignedSample(platform, *sample, kSignedAt);
    ASSERT_TRUE(request.ok()) << request.status();
    FeedRequest truncated = *request;
    truncated.body.resize(truncated.body.size() - 3);
    EXPECT_FALSE(Deliver(platform, truncated).ok());
    FeedRequest other = sample->captured.request;
    FeedApp wrong = samples::TestApp(platform);
    wrong.secret = "another-secret-0123456789";
    ASSERT_TRUE(SignAsPlatform(platform, wrong, kSignedAt, &other).ok());
    EXPECT_EQ(Deliver(platform, other).status().code(),
              absl::StatusCode::kUnauthenticated);
  }
}

INSTANTIATE_TEST_SUITE_P(Platforms, FeedSamplesTest,
                         ::testing::ValuesIn(samples::Platforms()),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(SignedPlatforms, SignedFeedSamplesTest,
                         ::testing::Values("tiktok", "douyin", "shopee",
                                           "temu"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace depositd::feeds
