#include "tools/jsonl_reader.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace depositd::tools {
namespace {

using ::testing::HasSubstr;

TEST(ParseEventJsonTest, ParsesCamelCaseFieldsEnumsAndMoney) {
  absl::StatusOr<v1::Event> event = ParseEventJson(
      R"({"eventId":"e1","tenant":"acme","shopId":"s1",)"
      R"("occurredAt":"2026-03-02T10:00:00Z",)"
      R"("feeCharged":{"feeId":"f1","category":"ADS_SETTLEMENT",)"
      R"("amount":{"minorUnits":"3500","currency":"USD"}}})");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->event_id(), "e1");
  EXPECT_EQ(event->tenant(), "acme");
  EXPECT_EQ(event->shop_id(), "s1");
  EXPECT_EQ(event->occurred_at().seconds(), 1772445600);
  ASSERT_TRUE(event->has_fee_charged());
  EXPECT_EQ(event->fee_charged().category(), v1::ADS_SETTLEMENT);
  EXPECT_EQ(event->fee_charged().amount().minor_units(), 3500);
  EXPECT_EQ(event->fee_charged().amount().currency(), "USD");
}

TEST(ParseEventJsonTest, AcceptsProtoFieldNamesToo) {
  absl::StatusOr<v1::Event> event =
      ParseEventJson(R"({"event_id":"e1","shop_id":"s1","shop_closed":{}})");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->shop_id(), "s1");
  EXPECT_TRUE(event->has_shop_closed());
}

TEST(ParseEventJsonTest, RejectsUnknownFieldWithItsName) {
  absl::StatusOr<v1::Event> event =
      ParseEventJson(R"({"eventId":"e1","shopIdd":"s1"})");
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(event.status().message(), HasSubstr("shopIdd"));
}

TEST(ParseEventJsonTest, RejectsUnknownEnumName) {
  absl::StatusOr<v1::Event> event =
      ParseEventJson(R"({"eventId":"e1","feeCharged":{"category":"ADS"}})");
  EXPECT_FALSE(event.ok());
}

TEST(ParseEventJsonTest, RejectsBrokenJson) {
  EXPECT_FALSE(ParseEventJson(R"({"eventId":"e1",)").ok());
  EXPECT_FALSE(ParseEventJson("not json").ok());
}

TEST(IsSkippableLineTest, BlankAndCommentLines) {
  EXPECT_TRUE(IsSkippableLine(""));
  EXPECT_TRUE(IsSkippableLine("   \t"));
  EXPECT_TRUE(IsSkippableLine("# a comment"));
  EXPECT_TRUE(IsSkippableLine("   # indented comment"));
  EXPECT_FALSE(IsSkippableLine(R"({"eventId":"e1"})"));
}

TEST(JsonlEventReaderTest, ReadsEventsSkipsCommentsAndNumbersLines) {
  std::istringstream in(
      "# header comment\n"
      "{\"eventId\":\"a\"}\n"
      "\n"
      "{\"eventId\":\"b\"}\r\n"
      "{broken\n"
      "{\"eventId\":\"c\"}");  // No newline at the end.
  JsonlEventReader reader(&in);

  std::optional<JsonlRecord> r = reader.Next();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->line_number, 2);
  ASSERT_TRUE(r->event.ok());
  EXPECT_EQ(r->event->event_id(), "a");

  r = reader.Next();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->line_number, 4);
  ASSERT_TRUE(r->event.ok()) << r->event.status();
  EXPECT_EQ(r->event->event_id(), "b");

  r = reader.Next();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->line_number, 5);
  ASSERT_FALSE(r->event.ok());
  EXPECT_THAT(r->event.status().message(), HasSubstr("line 5: "));

  r = reader.Next();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->line_number, 6);
  ASSERT_TRUE(r->event.ok());
  EXPECT_EQ(r->event->event_id(), "c");

  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_FALSE(reader.stream_failed());
  EXPECT_EQ(reader.lines_read(), 6);
}

TEST(JsonlEventReaderTest, EmptyInputHasNoRecords) {
  std::istringstream in("\n\n# only comments\n");
  JsonlEventReader reader(&in);
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_EQ(reader.lines_read(), 3);
}

}  // namespace
}  // namespace depositd::tools
