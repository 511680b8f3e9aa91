#include "daemon/log_throttle.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

TEST(LogThrottleTest, OneLinePerIntervalWithTheCount) {
  absl::Time now = absl::FromUnixSeconds(1000);
  std::vector<std::string> lines;
  LogThrottle throttle(
      absl::Seconds(10),
      [&lines](absl::string_view l) { lines.emplace_back(l); },
      [&now] { return now; });
  for (int i = 0; i < 1000; ++i) {
    throttle.Note("no credentials");
    now += absl::Milliseconds(1);  // 1,000 a second
  }
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "no credentials");
  now += absl::Seconds(10);
  throttle.Note("bad token");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1],
            "bad token (and 999 more like it since the last such line; at "
            "most one line per 10s)");
  EXPECT_EQ(throttle.total(), 1001u);
}

}  // namespace
}  // namespace depositd::daemon
