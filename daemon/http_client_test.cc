// HttpClient against the test HTTP receiver on 127.0.0.1.
#include "daemon/http_client.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/http_receiver.h"

namespace depositd::daemon {
namespace {

using integration::HttpReceiver;
using integration::RecordedRequest;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(HttpClientTest, PostsHeadersAndBodyAndReadsTheAnswer) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  HttpClient client;
  HttpClient::Response r =
      client.Post((*receiver)->Url("/in?x=1"),
                  {{"Content-Type", "application/json"}, {"X-Test", "yes"}},
                  R"({"a":1})", absl::Seconds(5));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(r.retry_after.has_value());
  // The connection is kept alive for the next request.
  r = client.Get((*receiver)->Url("/again"), {}, absl::Seconds(5));
  EXPECT_EQ(r.status, 200);
  const std::vector<RecordedRequest> got = (*receiver)->requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].path, "/in?x=1");
  EXPECT_EQ(got[0].body, R"({"a":1})");
  EXPECT_EQ(got[0].Header("content-type"), "application/json");
  EXPECT_EQ(got[0].Header("x-test"), "yes");
  EXPECT_EQ(got[0].Header("expect"), "");  // no 100-continue round trip
  EXPECT_EQ(got[1].method, "GET");
}

TEST(HttpClientTest, RetryAfterInSecondsAndAsAnHttpDate) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  (*receiver)->TooManyRequestsNext(1, "7");
  const absl::Time at = absl::Now() + absl::Seconds(120);
  (*receiver)->TooManyRequestsNext(
      1,
      absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", at, absl::UTCTimeZone()));
  (*receiver)->TooManyRequestsNext(1, "soon");
  HttpClient client;
  HttpClient::Response r =
      client.Post((*receiver)->Url("/"), {}, "x", absl::Seconds(5));
  EXPECT_EQ(r.status, 429);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, absl::Seconds(7));
  r = client.Post((*receiver)->Url("/"), {}, "x", absl::Seconds(5));
  EXPECT_EQ(r.status, 429);
  ASSERT_TRUE(r.retry_after.has_value());
  // The date has whole seconds: between 118 and 120 s from now.
  EXPECT_GT(*r.retry_after, absl::Seconds(110));
  EXPECT_LE(*r.retry_after, absl::Seconds(120));
  r = client.Post((*receiver)->Url("/"), {}, "x", absl::Seconds(5));
  EXPECT_EQ(r.status, 429);
  EXPECT_FALSE(r.retry_after.has_value());  // unparsable: ignored
}

TEST(HttpClientTest, NoServerGivesStatusZeroAndAReason) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  const std::string url = (*receiver)->Url("/");
  (*receiver)->Stop();
  HttpClient client;
  HttpClient::Response r = client.Post(url, {}, "x", absl::Seconds(5));
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.aborted);
  EXPECT_THAT(r.error, HasSubstr("onnect"));  // "Couldn't connect ..."
}

TEST(HttpClientTest, StopFlagAbortsARequestWaitingForItsAnswer) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  (*receiver)->Hold(true);
  std::atomic<bool> stop{false};
  HttpClient client(&stop);
  std::thread stopper([&] {
    (*receiver)->WaitFor([](const auto& r) { return !r.empty(); },
                         absl::Seconds(20));
    stop = true;
  });
  // Without the flag this would wait for the whole 60 s timeout.
  HttpClient::Response r =
      client.Post((*receiver)->Url("/"), {}, "x", absl::Seconds(60));
  stopper.join();
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.aborted);
  EXPECT_THAT(r.error, Not(HasSubstr("Timeout")));
}

}  // namespace
}  // namespace depositd::daemon
