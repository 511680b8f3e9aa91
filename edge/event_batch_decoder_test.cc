#include "edge/event_batch_decoder.h"

#include <string>
#include <vector>

#include "depositd/edge/v1/event_batch_wire.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace depositd::edge {
namespace {

using ::testing::HasSubstr;

::depositd::v1::Event OrderEvent(const std::string& id) {
  ::depositd::v1::Event e;
  e.set_event_id(id);
  e.set_tenant("acme");
  e.set_shop_id("shop-1");
  e.mutable_occurred_at()->set_seconds(1767225600);
  e.mutable_order_status_changed()->set_order_id("order-" + id);
  e.mutable_order_status_changed()->set_status(::depositd::v1::DELIVERED);
  return e;
}

// The bytes of a batch of `events`, built through the wire view so that
// strings that are not UTF-8 go out as they are (as a careless client's).
std::string BatchBytes(uint64_t seq,
                       const std::vector<::depositd::v1::Event>& events,
                       int bad_index = -1,
                       void (*spoil)(::depositd::v1::Event*) = nullptr) {
  edge::v1::EventBatchWire wire;
  wire.set_batch_seq(seq);
  for (size_t i = 0; i < events.size(); ++i) {
    std::string bytes = events[i].SerializeAsString();
    if (static_cast<int>(i) == bad_index) {
      // Replace a marker string by the same number of invalid bytes.
      ::depositd::v1::Event marked = events[i];
      spoil(&marked);
      bytes = marked.SerializeAsString();
      const std::string marker = "@@@@";
      const size_t at = bytes.find(marker);
      EXPECT_NE(at, std::string::npos);
      bytes.replace(at, marker.size(), "ab\xf0\x9f");  // cut inside an emoji
    }
    wire.add_events(bytes);
  }
  return wire.SerializeAsString();
}

struct Case {
  const char* field;
  void (*spoil)(::depositd::v1::Event*);
};

TEST(EventBatchDecoderTest, WellFormedBatchIsDecodedWhole) {
  const std::string bytes = BatchBytes(7, {OrderEvent("a"), OrderEvent("b")});
  ::depositd::v1::EventBatch batch;
  std::vector<EventRejection> rejected;
  ASSERT_TRUE(DecodeEventBatch(bytes, &batch, &rejected).ok());
  EXPECT_TRUE(rejected.empty());
  EXPECT_EQ(batch.batch_seq(), 7u);
  ASSERT_EQ(batch.events_size(), 2);
  EXPECT_EQ(batch.events(1).event_id(), "b");
}

TEST(EventBatchDecoderTest, EventWithInvalidUtf8IsRejectedOthersKept) {
  const Case cases[] = {
      {"event_id", [](::depositd::v1::Event* e) { e->set_event_id("@@@@"); }},
      {"tenant", [](::depositd::v1::Event* e) { e->set_tenant("@@@@"); }},
      {"shop_id", [](::depositd::v1::Event* e) { e->set_shop_id("@@@@"); }},
      {"source", [](::depositd::v1::Event* e) { e->set_source("@@@@"); }},
      {"order_status_changed.order_id",
       [](::depositd::v1::Event* e) {
         e->mutable_order_status_changed()->set_order_id("@@@@");
       }},
      {"order_status_changed.amount.currency",
       [](::depositd::v1::Event* e) {
         e->mutable_order_status_changed()->mutable_amount()->set_currency(
             "@@@@");
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    const std::string bytes = BatchBytes(
        9, {OrderEvent("a"), OrderEvent("b"), OrderEvent("c")}, 1, c.spoil);
    ::depositd::v1::EventBatch batch;
    std::vector<EventRejection> rejected;
    ASSERT_TRUE(DecodeEventBatch(bytes, &batch, &rejected).ok());
    EXPECT_EQ(batch.batch_seq(), 9u);
    ASSERT_EQ(batch.events_size(), 2);
    EXPECT_EQ(batch.events(0).event_id(), "a");
    EXPECT_EQ(batch.events(1).event_id(), "c");
    ASSERT_EQ(rejected.size(), 1u);
    EXPECT_EQ(rejected[0].index, 1);
    EXPECT_THAT(rejected[0].reason,
                HasSubstr(absl::StrCat("field ", c.field,
                                       " is not valid UTF-8 "
                                       "(byte 2 of its value)")));
  }
}

TEST(EventBatchDecoderTest, TruncatedOrGarbageBatchIsInvalidArgument) {
  const std::string good = BatchBytes(3, {OrderEvent("a"), OrderEvent("b")});
  const std::string inputs[] = {
      good.substr(0, good.size() - 5),
      std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11),
      std::string("\x12\x7f", 2),  // events, 127 bytes announced, none sent
  };
  for (const std::string& input : inputs) {
    ::depositd::v1::EventBatch batch;
    std::vector<EventRejection> rejected;
    const absl::Status s = DecodeEventBatch(input, &batch, &rejected);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("truncated or not protobuf"));
    EXPECT_EQ(batch.events_size(), 0);
    EXPECT_TRUE(rejected.empty());
  }
}

TEST(EventBatchDecoderTest, MalformedEventInsideWellFramedBatchIsRejected) {
  edge::v1::EventBatchWire wire;
  wire.add_events(OrderEvent("a").SerializeAsString());
  wire.add_events(std::string("\x0a\x09short", 7));  // event_id overruns
  wire.add_events(OrderEvent("c").SerializeAsString());
  ::depositd::v1::EventBatch batch;
  std::vector<EventRejection> rejected;
  ASSERT_TRUE(
      DecodeEventBatch(wire.SerializeAsString(), &batch, &rejected).ok());
  ASSERT_EQ(batch.events_size(), 2);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].index, 1);
  EXPECT_THAT(rejected[0].reason, HasSubstr("cannot be decoded"));
}

TEST(EventBatchDecoderTest, OversizedMalformedBatchHasEveryEventRejected) {
  const std::string bytes =
      BatchBytes(1, {OrderEvent("a"), OrderEvent("b"), OrderEvent("c")}, 0,
                 [](::depositd::v1::Event* e) { e->set_tenant("@@@@"); });
  ::depositd::v1::EventBatch batch;
  std::vector<EventRejection> rejected;
  DecodeOptions options;
  options.max_events = 2;
  ASSERT_TRUE(DecodeEventBatch(bytes, &batch, &rejected, options).ok());
  EXPECT_EQ(batch.events_size(), 0);
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_EQ(rejected[2].index, 2);
  EXPECT_THAT(rejected[2].reason, HasSubstr("the limit is 2 per batch"));
}

}  // namespace
}  // namespace depositd::edge
