#include "common/json.h"

#include <string>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"

namespace depositd::common {
namespace {

std::string Json(const google::protobuf::Message& m) {
  absl::StatusOr<std::string> json = MessageToJson(m);
  EXPECT_TRUE(json.ok()) << json.status();
  return json.value_or("");
}

TEST(JsonTest, MapEntriesSortedByKey) {
  google::protobuf::Struct s;
  for (const char* k : {"zeta", "alpha", "order_id", "mid", "beta", "x2",
                        "dispute_id", "x1", "x10"}) {
    (*s.mutable_fields())[k].set_string_value(k);
  }
  EXPECT_EQ(Json(s),
            "{\"alpha\":\"alpha\",\"beta\":\"beta\",\"dispute_id\":"
            "\"dispute_id\",\"mid\":\"mid\",\"order_id\":\"order_id\","
            "\"x1\":\"x1\",\"x10\":\"x10\",\"x2\":\"x2\",\"zeta\":\"zeta\"}");
}

// The escaping the header promises, pinned: receivers' bytes depend on it.
TEST(JsonTest, StringEscaping) {
  const struct {
    std::string in;
    std::string json;
  } cases[] = {
      {"a\"b\\c\n\t\x01", R"("a\"b\\c\n\t\u0001")"},
      {"店铺 ✓ 😀 → · “”", "\"店铺 ✓ 😀 → · “”\""},
      {"<b> & ' = /", R"("\u003cb\u003e & ' = /")"},
      {"\x7f", R"("\u007f")"},
      {"\u00ad\u200d\u2028\u202e\ufeff", R"("\u00ad\u200d\u2028\u202e\ufeff")"},
      {std::string("x\0y", 3), R"("x\u0000y")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    google::protobuf::StringValue v;
    v.set_value(c.in);
    EXPECT_EQ(Json(v), c.json);
  }
}

TEST(JsonTest, Int64AsStringTimestampAsRfc3339) {
  google::protobuf::Int64Value i;
  i.set_value(-9007199254740993);  // not exact as a double
  EXPECT_EQ(Json(i), "\"-9007199254740993\"");
  google::protobuf::Timestamp ts;
  ts.set_seconds(1709298000);
  ts.set_nanos(123000000);
  EXPECT_EQ(Json(ts), "\"2024-03-01T13:00:00.123Z\"");
}

}  // namespace
}  // namespace depositd::common
