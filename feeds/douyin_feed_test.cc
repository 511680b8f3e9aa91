#include "feeds/douyin_feed.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "feeds/signatures.h"
#include "gtest/gtest.h"

namespace depositd::feeds {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1730000000);

std::unique_ptr<DouyinFeed> Feed() {
  DouyinFeed::Options o;
  o.apps.push_back({"7001", "dy-secret", "acme", "", ""});
  auto f = DouyinFeed::Create(o);
  EXPECT_TRUE(f.ok()) << f.status();
  return *std::move(f);
}

FeedRequest Signed(const std::string& body, const std::string& app = "7001",
                   const std::string& secret = "dy-secret") {
  FeedRequest r;
  r.body = body;
  r.headers["app-id"] = app;
  r.headers["event-sign"] = Md5Hex(app + body + secret);
  return r;
}

// One message; `data` is a JSON object, sent as a JSON string.
std::string Message(const std::string& tag, const std::string& msg_id,
                    const std::string& data) {
  return absl::StrCat(R"({"tag":")", tag, R"(","msg_id":")", msg_id,
                      R"(","data":")",
                      absl::StrReplaceAll(data, {{"\"", "\\\""}}), R"("})");
}

// Our own vector (Douyin publishes none): MD5("7001" + body + "dy-secret").
TEST(DouyinFeedTest, OwnSignatureVector) {
  const std::string body = R"([{"tag":"0","msg_id":"0","data":"{}"}])";
  EXPECT_EQ(Md5Hex("7001" + body + "dy-secret"),
            "0c1c04eec2e4924912acb7ab04b12844");
}

TEST(DouyinFeedTest, VerificationPushIsAnsweredWithoutEvents) {
  absl::StatusOr<FeedDelivery> d = Feed()->Receive(
      Signed(R"([{"tag":"0","msg_id":"0","data":"{}"}])"), kNow);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_TRUE(d->verification);
  EXPECT_TRUE(d->events.empty());
  EXPECT_EQ(Feed()->answer().body, R"({"code":0,"msg":"success"})");
}

TEST(DouyinFeedTest, RefusesUnknownAppBadSignatureAndMalformed) {
  auto feed = Feed();
  const std::string body = absl::StrCat(
      "[",
      Message("101", "m1", R"({"shop_id":1,"p_id":2,"pay_time":1729000000})"),
      "]");
  EXPECT_EQ(feed->Receive(Signed(body, "7002"), kNow).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(feed->Receive(Signed(body, "7001", "wrong"), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  FeedRequest unsigned_request;
  unsigned_request.body = body;
  EXPECT_EQ(feed->Receive(unsigned_request, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(feed->Receive(Signed(R"({"tag":"101"})"), kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(feed->Receive(Signed(""), kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
  // One bad message fails the whole batch: never a partial list.
  const std::string half = absl::StrCat(
      "[",
      Message("101", "m1", R"({"shop_id":1,"p_id":2,"pay_time":1729000000})"),
      ",", Message("102", "m2", R"({"p_id":2})"), "]");
  EXPECT_EQ(feed->Receive(Signed(half), kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DouyinFeedTest, TradeTags) {
  struct Case {
    const char* tag;
    v1::OrderStatus want;
  };
  const Case cases[] = {
      {"100", v1::ORDER_STATUS_UNSPECIFIED},
      {"101", v1::PLACED},
      {"102", v1::SHIPPED},
      {"108", v1::SHIPPED},
      {"103", v1::COMPLETED},
      {"106", v1::CANCELLED},
      {"104", v1::ORDER_STATUS_UNSPECIFIED},
      {"105", v1::ORDER_STATUS_UNSPECIFIED},
      {"109", v1::ORDER_STATUS_UNSPECIFIED},
      {"110", v1::ORDER_STATUS_UNSPECIFIED},
  };
  auto feed = Feed();
  for (const Case& c : cases) {
    const std::string body = absl::StrCat(
        "[",
        Message(
            c.tag, absl::StrCat("m-", c.tag),
            R"({"shop_id":4463798,"p_id":4781320682406083640,"order_status":2,"update_time":1729000000})"),
        "]");
    absl::StatusOr<FeedDelivery> d = feed->Receive(Signed(body), kNow);
    ASSERT_TRUE(d.ok()) << c.tag << ": " << d.status();
    if (c.want == v1::ORDER_STATUS_UNSPECIFIED) {
      EXPECT_TRUE(d->events.empty()) << c.tag;
      EXPECT_EQ(d->ignored, 1) << c.tag;
      continue;
    }
    ASSERT_EQ(d->events.size(), 1u) << c.tag;
    const v1::Event& e = d->events[0];
    EXPECT_EQ(e.event_id(), absl::StrCat("douyin:m-", c.tag));
    EXPECT_EQ(e.shop_id(), "4463798");
    EXPECT_EQ(e.tenant(), "acme");
    EXPECT_EQ(e.order_status_changed().order_id(), "4781320682406083640");
    EXPECT_EQ(e.order_status_changed().status(), c.want) << c.tag;
    EXPECT_EQ(e.occurred_at().seconds(), 1729000000);
  }
}

TEST(DouyinFeedTest, AfterSalesArbitrationAndDeadlineChange) {
  const std::string base =
      R"("shop_id":4463798,"p_id":111,"aftersale_id":555,"update_time":1729000000)";
  struct Case {
    const char* tag;
    std::string extra;
    v1::Event::BodyCase body;
    int detail;
    const char* dispute;
  };
  const Case cases[] = {
      {"200",
       R"(,"aftersale_type":0,"refund_amount":1999,"apply_time":1728990000)",
       v1::Event::kDisputeOpened, v1::RETURN, "douyin-aftersale:555"},
      {"200", R"(,"aftersale_type":1)", v1::Event::kDisputeOpened,
       v1::REFUND_REQUEST, "douyin-aftersale:555"},
      {"200", R"(,"aftersale_type":2)", v1::Event::kDisputeOpened,
       v1::REFUND_REQUEST, "douyin-aftersale:555"},
      {"200", R"(,"aftersale_type":3)", v1::Event::kDisputeOpened, v1::RETURN,
       "douyin-aftersale:555"},
      {"201", "", v1::Event::kDisputeResponded, 0, "douyin-aftersale:555"},
      {"202", "", v1::Event::kDisputeResponded, 0, "douyin-aftersale:555"},
      {"204", "", v1::Event::kDisputeResponded, 0, "douyin-aftersale:555"},
      {"205", "", v1::Event::kDisputeResponded, 0, "douyin-aftersale:555"},
      {"206", "", v1::Event::kDisputeResolved, v1::BUYER_WON,
       "douyin-aftersale:555"},
      {"207", "", v1::Event::kDisputeResolved, v1::WITHDRAWN,
       "douyin-aftersale:555"},
      {"211", "", v1::Event::kDisputeResolved, v1::SETTLED,
       "douyin-aftersale:555"},
      {"209", R"(,"expiration_time":1729300000)",
       v1::Event::kDisputeDeadlineChanged, 0, "douyin-aftersale:555"},
      {"212", "", v1::Event::kDisputeOpened, v1::ARBITRATION,
       "douyin-arbitration:555"},
      {"214", "", v1::Event::kDisputeResponded, 0, "douyin-arbitration:555"},
      {"215", "", v1::Event::kDisputeResolved, v1::WITHDRAWN,
       "douyin-arbitration:555"},
      {"216", R"(,"arbitrate_conclusion":1)", v1::Event::kDisputeResolved,
       v1::BUYER_WON, "douyin-arbitration:555"},
      {"216", R"(,"arbitrate_conclusion":2)", v1::Event::kDisputeResolved,
       v1::SELLER_WON, "douyin-arbitration:555"},
      {"216", R"(,"arbitrate_conclusion":3)", v1::Event::kDisputeResolved,
       v1::BUYER_WON, "douyin-arbitration:555"},
      {"203", "", v1::Event::BODY_NOT_SET, 0, ""},
      {"208", "", v1::Event::BODY_NOT_SET, 0, ""},
      {"213", "", v1::Event::BODY_NOT_SET, 0, ""},
      {"217", "", v1::Event::BODY_NOT_SET, 0, ""},
      {"218", "", v1::Event::BODY_NOT_SET, 0, ""},
  };
  auto feed = Feed();
  for (const Case& c : cases) {
    const std::string body = absl::StrCat(
        "[", Message(c.tag, "m", absl::StrCat("{", base, c.extra, "}")), "]");
    absl::StatusOr<FeedDelivery> d = feed->Receive(Signed(body), kNow);
    ASSERT_TRUE(d.ok()) << c.tag << c.extra << ": " << d.status();
    if (c.body == v1::Event::BODY_NOT_SET) {
      EXPECT_TRUE(d->events.empty()) << c.tag;
      continue;
    }
    ASSERT_EQ(d->events.size(), 1u) << c.tag;
    const v1::Event& e = d->events[0];
    ASSERT_EQ(e.body_case(), c.body) << c.tag;
    switch (c.body) {
      case v1::Event::kDisputeOpened:
        EXPECT_EQ(e.dispute_opened().dispute_id(), c.dispute);
        EXPECT_EQ(e.dispute_opened().kind(), c.detail) << c.tag << c.extra;
        EXPECT_EQ(e.dispute_opened().order_id(), "111");
        break;
      case v1::Event::kDisputeResolved:
        EXPECT_EQ(e.dispute_resolved().dispute_id(), c.dispute);
        EXPECT_EQ(e.dispute_resolved().outcome(), c.detail) << c.tag << c.extra;
        break;
      case v1::Event::kDisputeResponded:
        EXPECT_EQ(e.dispute_responded().dispute_id(), c.dispute);
        break;
      case v1::Event::kDisputeDeadlineChanged:
        EXPECT_EQ(e.dispute_deadline_changed().dispute_id(), c.dispute);
        EXPECT_EQ(e.dispute_deadline_changed().response_due_at().seconds(),
                  1729300000);
        break;
      default:
        break;
    }
  }
  // The refund amount is in 分.
  absl::StatusOr<FeedDelivery> opened = feed->Receive(
      Signed(absl::StrCat(
          "[",
          Message("200", "m",
                  absl::StrCat("{", base, R"(,"refund_amount":1999})")),
          "]")),
      kNow);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->events[0].dispute_opened().amount().minor_units(), 1999);
  EXPECT_EQ(opened->events[0].dispute_opened().amount().currency(), "CNY");
  // 209 without the new deadline and 216 without a conclusion are malformed.
  for (const char* tag : {"209", "216"}) {
    EXPECT_EQ(
        feed->Receive(
                Signed(absl::StrCat(
                    "[", Message(tag, "m", absl::StrCat("{", base, "}")), "]")),
                kNow)
            .status()
            .code(),
        absl::StatusCode::kInvalidArgument)
        << tag;
  }
}

TEST(DouyinFeedTest, BatchesKeepOrderAndCountUnknownTags) {
  const std::string body = absl::StrCat(
      "[",
      Message("101", "a", R"({"shop_id":1,"p_id":2,"pay_time":1729000000})"),
      ",", Message("999", "b", R"({"whatever":true})"), ",",
      Message("103", "c",
              R"({"shop_id":1,"p_id":2,"complete_time":1729100000})"),
      "]");
  absl::StatusOr<FeedDelivery> d = Feed()->Receive(Signed(body), kNow);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->events.size(), 2u);
  EXPECT_EQ(d->events[0].event_id(), "douyin:a");
  EXPECT_EQ(d->events[1].event_id(), "douyin:c");
  EXPECT_EQ(d->events[1].occurred_at().seconds(), 1729100000);
  EXPECT_EQ(d->unknown_types, 1);
}

}  // namespace
}  // namespace depositd::feeds
