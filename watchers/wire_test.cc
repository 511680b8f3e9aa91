#include "watchers/wire.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace depositd::watchers::wire {
namespace {

// Every length class of a varint round-trips through both writers and the
// reader, with VarintSize agreeing on the bytes.
TEST(WireTest, VarintsRoundTrip) {
  const std::vector<uint64_t> values = {0,
                                        1,
                                        127,
                                        128,
                                        300,
                                        16383,
                                        16384,
                                        uint64_t{1} << 35,
                                        (uint64_t{1} << 63) - 1,
                                        UINT64_MAX};
  for (uint64_t v : values) {
    SCOPED_TRACE(v);
    std::string s;
    PutVarint(&s, v);
    EXPECT_EQ(s.size(), VarintSize(v));
    char buf[10];
    EXPECT_EQ(std::string(buf, PutVarint(buf, v)), s);
    s += "tail";
    absl::string_view in = s;
    uint64_t got = 0;
    ASSERT_TRUE(ReadVarint(&in, &got));
    EXPECT_EQ(got, v);
    EXPECT_EQ(in, "tail");
  }
}

// A truncated or over-long varint is refused and consumes nothing.
TEST(WireTest, BadVarintsAreRefused) {
  struct Case {
    const char* name;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {"empty", ""},
      {"truncated", std::string("\x80\x80", 2)},
      {"eleven bytes", std::string(10, '\x80') + std::string("\x01", 1)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::string_view in = c.bytes;
    uint64_t got = 7;
    EXPECT_FALSE(ReadVarint(&in, &got));
    EXPECT_EQ(in.size(), c.bytes.size());
    EXPECT_EQ(got, 7u);
  }
}

TEST(WireTest, ZigZagMatchesSint64) {
  EXPECT_EQ(ZigZag(0), 0u);
  EXPECT_EQ(ZigZag(-1), 1u);
  EXPECT_EQ(ZigZag(1), 2u);
  EXPECT_EQ(ZigZag(-2), 3u);
  EXPECT_EQ(ZigZag(INT64_MAX), UINT64_MAX - 1);
  EXPECT_EQ(ZigZag(INT64_MIN), UINT64_MAX);
}

}  // namespace
}  // namespace depositd::watchers::wire
