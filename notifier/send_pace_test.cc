#include "notifier/send_pace.h"

#include "gtest/gtest.h"

namespace depositd::notifier {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

v1::Sink SinkOf(v1::SinkType type) {
  v1::Sink s;
  s.set_name("s");
  s.set_type(type);
  return s;
}

TEST(DefaultSinkPaceTest, ThePlatformsDocumentedLimits) {
  struct Case {
    v1::SinkType type;
    std::vector<std::pair<int, absl::Duration>> limits;
  };
  const Case cases[] = {
      {v1::DINGTALK, {{20, absl::Minutes(1)}}},
      {v1::WECOM, {{20, absl::Minutes(1)}}},
      {v1::FEISHU, {{5, absl::Seconds(1)}, {100, absl::Minutes(1)}}},
      {v1::SLACK, {{1, absl::Seconds(1)}}},
      {v1::WEBHOOK, {}},
      {v1::ALERTMANAGER, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(v1::SinkType_Name(c.type));
    const std::vector<PaceLimit> got = DefaultSinkPace(SinkOf(c.type));
    ASSERT_EQ(got.size(), c.limits.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].messages, c.limits[i].first);
      EXPECT_EQ(got[i].window, c.limits[i].second);
    }
  }
}

TEST(DefaultSinkPaceTest, ConfigurationReplacesTheDefault) {
  v1::Sink s = SinkOf(v1::DINGTALK);
  v1::SinkPace* p = s.add_pace();
  p->set_messages(20);
  p->set_per_ms(2000);
  const std::vector<PaceLimit> got = DefaultSinkPace(s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].messages, 20);
  EXPECT_EQ(got[0].window, absl::Seconds(2));
}

TEST(SendPaceTest, UnpacedIsAlwaysReady) {
  SendPace pace;
  for (int i = 0; i < 1000; ++i) pace.Spend(kT0);
  EXPECT_EQ(pace.ReadyAt(kT0), kT0);
  EXPECT_TRUE(pace.unpaced());
}

TEST(SendPaceTest, TwentyAMinuteIsASlidingWindow) {
  SendPace pace({{20, absl::Minutes(1)}});
  absl::Time now = kT0;
  // A burst: 20 at once, spread over 10 s.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(pace.ReadyAt(now), now) << i;
    pace.Spend(now);
    now += absl::Milliseconds(500);
  }
  EXPECT_EQ(pace.Available(now), 0u);
  // The 21st waits until the first one is a minute old.
  EXPECT_EQ(pace.ReadyAt(now), kT0 + absl::Minutes(1));
  now = pace.ReadyAt(now);
  EXPECT_EQ(pace.Available(now), 1u);
  pace.Spend(now);
  // The 22nd until the second one is.
  EXPECT_EQ(pace.ReadyAt(now),
            kT0 + absl::Milliseconds(500) + absl::Minutes(1));
}

TEST(SendPaceTest, NeverMoreThanTheLimitInAnyWindow) {
  // Feishu: 5 a second and 100 a minute; send as fast as allowed for 3
  // minutes of fake time and count every window.
  SendPace pace({{5, absl::Seconds(1)}, {100, absl::Minutes(1)}});
  std::vector<absl::Time> sent;
  absl::Time now = kT0;
  while (now < kT0 + absl::Minutes(3)) {
    now = pace.ReadyAt(now);
    pace.Spend(now);
    sent.push_back(now);
  }
  for (size_t i = 0; i < sent.size(); ++i) {
    size_t in_second = 0, in_minute = 0;
    for (size_t j = i; j < sent.size(); ++j) {
      if (sent[j] < sent[i] + absl::Seconds(1)) ++in_second;
      if (sent[j] < sent[i] + absl::Minutes(1)) ++in_minute;
    }
    ASSERT_LE(in_second, 5u) << i;
    ASSERT_LE(in_minute, 100u) << i;
  }
  // And it does not under-use the minute limit: 100 per minute, 3 minutes.
  EXPECT_GE(sent.size(), 300u);
}

}  // namespace
}  // namespace depositd::notifier
