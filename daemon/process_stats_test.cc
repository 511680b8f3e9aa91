#include "daemon/process_stats.h"

#include <string>

#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

// A /proc/self/stat line whose comm holds a space and a ')'.
constexpr char kStat[] =
    "4242 (dep sitd)) S 1 4242 4242 0 -1 4194560 2000 0 0 0 "
    "250 150 0 0 20 0 9 0 1000 104857600 2560 18446744073709551615 "
    "1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";
constexpr char kProcStat[] = "cpu  1 2 3 4\nbtime 1700000000\nprocesses 9\n";

TEST(ProcessStatsTest, ParsesStatFields) {
  absl::StatusOr<ProcessFigures> p = ParseProcStat(kStat, kProcStat, 100, 4096);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_DOUBLE_EQ(p->cpu_seconds, 4.0);  // (250 + 150) / 100
  EXPECT_DOUBLE_EQ(p->virtual_bytes, 104857600.0);
  EXPECT_DOUBLE_EQ(p->resident_bytes, 2560.0 * 4096);
  EXPECT_DOUBLE_EQ(p->start_time_seconds, 1700000010.0);  // btime + 1000/100
}

TEST(ProcessStatsTest, BrokenInputIsInvalidArgument) {
  EXPECT_EQ(
      ParseProcStat("4242 no paren", kProcStat, 100, 4096).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      ParseProcStat("4242 (x) S 1 2", kProcStat, 100, 4096).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseProcStat(kStat, "cpu 1 2 3\n", 100, 4096).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ProcessStatsTest, ReadsThisProcess) {
  absl::StatusOr<ProcessFigures> p = ReadProcessFigures();
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_GT(p->resident_bytes, 0);
  EXPECT_GE(p->open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GT(p->max_fds, 0);
  EXPECT_GT(p->start_time_seconds, 1.6e9);
}

}  // namespace
}  // namespace depositd::daemon
