#include "common/timestamps.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace depositd::common {
namespace {

google::protobuf::Timestamp Ts(int64_t seconds, int32_t nanos) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(nanos);
  return ts;
}

TEST(TimestampsTest, ToTimestampKeepsNanosInRange) {
  const struct {
    absl::Time t;
    int64_t seconds;
    int32_t nanos;
  } cases[] = {
      {absl::UnixEpoch(), 0, 0},
      {absl::FromUnixSeconds(1709280000) + absl::Milliseconds(123), 1709280000,
       123000000},
      // Before 1970 the second is borrowed: -0.25 s is -1 s + 0.75 s.
      {absl::UnixEpoch() - absl::Milliseconds(250), -1, 750000000},
      {absl::FromUnixNanos(-1), -1, 999999999},
      // Finer than a nanosecond is dropped toward the past.
      {absl::FromUnixNanos(5) + absl::Nanoseconds(1) / 4, 0, 5},
      {absl::FromUnixNanos(-5) - absl::Nanoseconds(1) / 4, -1, 999999994},
      // Far outside the range absl::ToUnixNanos can hold: still exact.
      {absl::FromCivil(absl::CivilSecond(1600, 1, 1, 0, 0, 0),
                       absl::UTCTimeZone()),
       -11676096000, 0},
      {absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59),
                       absl::UTCTimeZone()),
       253402300799, 0},
      // The infinities as the first conversion wrote them.
      {absl::InfiniteFuture(), 9223372036, 854775807},
      {absl::InfinitePast(), -9223372037, 145224192},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.t));
    const google::protobuf::Timestamp ts = ToTimestamp(c.t);
    EXPECT_EQ(ts.seconds(), c.seconds);
    EXPECT_EQ(ts.nanos(), c.nanos);
    google::protobuf::Timestamp out = Ts(7, 7);
    ToTimestamp(c.t, &out);
    EXPECT_EQ(out.seconds(), c.seconds);
    EXPECT_EQ(out.nanos(), c.nanos);
  }
}

TEST(TimestampsTest, RoundTripsEveryFiniteNanosecondTime) {
  for (int64_t ns : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{999999999},
                     int64_t{-1000000000}, int64_t{1709280000123456789},
                     int64_t{-1709280000123456789}}) {
    const absl::Time t = absl::FromUnixNanos(ns);
    EXPECT_EQ(FromTimestamp(ToTimestamp(t)), t) << ns;
  }
  EXPECT_EQ(FromTimestamp(Ts(-1, 500000000)),
            absl::UnixEpoch() - absl::Milliseconds(500));
}

TEST(TimestampsTest, FormatRfc3339) {
  const absl::Time t = absl::FromUnixSeconds(1709298000);  // 2024-03-01 13:00
  EXPECT_EQ(FormatRfc3339(t), "2024-03-01T13:00:00Z");
  EXPECT_EQ(FormatRfc3339(t + absl::Milliseconds(123)),
            "2024-03-01T13:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(t + absl::Milliseconds(500)),
            "2024-03-01T13:00:00.5Z");
  EXPECT_EQ(FormatRfc3339(t + absl::Nanoseconds(1)),
            "2024-03-01T13:00:00.000000001Z");
  EXPECT_EQ(FormatRfc3339(absl::UnixEpoch() - absl::Seconds(1)),
            "1969-12-31T23:59:59Z");
}

TEST(TimestampsTest, ParseRfc3339) {
  const absl::Time t = absl::FromUnixSeconds(1773100800);  // 2026-03-10
  EXPECT_EQ(ParseRfc3339("2026-03-10T00:00:00Z").value(), t);
  EXPECT_EQ(ParseRfc3339("2026-03-10T08:00:00+08:00").value(), t);
  EXPECT_EQ(ParseRfc3339("2026-03-10T00:00:00.25Z").value(),
            t + absl::Milliseconds(250));
  for (const char* bad : {"", "2026-03-10", "yesterday", "2026-03-10 00:00"}) {
    SCOPED_TRACE(bad);
    const absl::StatusOr<absl::Time> got = ParseRfc3339(bad);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find("2026-03-10T00:00:00Z"),
              absl::string_view::npos)
        << got.status();
  }
  // Text and back.
  EXPECT_EQ(FormatRfc3339(ParseRfc3339("2024-02-29T13:00:00.123Z").value()),
            "2024-02-29T13:00:00.123Z");
}

}  // namespace
}  // namespace depositd::common
