#include "tools/format.h"

#include <cstdint>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace depositd::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::Money M(int64_t minor, const char* currency) {
  v1::Money m;
  m.set_minor_units(minor);
  m.set_currency(currency);
  return m;
}

google::protobuf::Timestamp T(const char* rfc3339) {
  absl::StatusOr<google::protobuf::Timestamp> t = ParseTimestampArg(rfc3339);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.value_or(google::protobuf::Timestamp());
}

TEST(FormatMoneyTest, UsesTheCurrencyExponent) {
  struct Case {
    int64_t minor;
    const char* currency;
    const char* want;
  };
  const Case cases[] = {
      {3500, "USD", "USD 35.00"},   {50000, "USD", "USD 500.00"},
      {5, "USD", "USD 0.05"},       {0, "USD", "USD 0.00"},
      {-3500, "USD", "USD -35.00"}, {-5, "EUR", "EUR -0.05"},
      {3500, "JPY", "JPY 3500"},    {120000, "KRW", "KRW 120000"},
      {1250, "KWD", "KWD 1.250"},   {3000000, "CNY", "CNY 30000.00"},
      {7, "", "??? 0.07"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatMoney(M(c.minor, c.currency)), c.want)
        << c.minor << " " << c.currency;
  }
}

TEST(FormatMoneyTest, ExactAtInt64Limits) {
  EXPECT_EQ(FormatMoney(M(std::numeric_limits<int64_t>::max(), "USD")),
            "USD 92233720368547758.07");
  EXPECT_EQ(FormatMoney(M(std::numeric_limits<int64_t>::min(), "USD")),
            "USD -92233720368547758.08");
}

TEST(FormatMoneyListTest, JoinsOrDashes) {
  google::protobuf::RepeatedPtrField<v1::Money> list;
  EXPECT_EQ(FormatMoneyList(list), "-");
  *list.Add() = M(50000, "USD");
  *list.Add() = M(100, "CNY");
  EXPECT_EQ(FormatMoneyList(list), "USD 500.00, CNY 1.00");
}

TEST(TimestampTest, FormatsAndParsesRfc3339) {
  EXPECT_EQ(FormatTimestamp(google::protobuf::Timestamp()), "-");
  EXPECT_EQ(FormatTimestamp(T("2026-04-22T00:00:00Z")), "2026-04-22T00:00:00Z");
  // Offsets are converted to UTC.
  EXPECT_EQ(FormatTimestamp(T("2026-03-02T08:00:00+08:00")),
            "2026-03-02T00:00:00Z");
  // A bare date is midnight UTC.
  EXPECT_EQ(FormatTimestamp(T("2026-03-10")), "2026-03-10T00:00:00Z");
  google::protobuf::Timestamp frac = T("2026-03-10T00:00:00.250Z");
  EXPECT_EQ(frac.nanos(), 250000000);
  EXPECT_EQ(FormatTimestamp(frac), "2026-03-10T00:00:00.25Z");
}

TEST(TimestampTest, RejectsGarbage) {
  EXPECT_FALSE(ParseTimestampArg("yesterday").ok());
  EXPECT_FALSE(ParseTimestampArg("2026-13-40T00:00:00Z").ok());
}

TEST(ParseDurationArgTest, UnitsAndCombinations) {
  struct Case {
    const char* text;
    int64_t seconds;
  };
  const Case cases[] = {{"30d", 30 * 86400},  {"36h", 36 * 3600},
                        {"1d12h", 36 * 3600}, {"90m", 5400},
                        {"45s", 45},          {"1h30m15s", 5415}};
  for (const Case& c : cases) {
    absl::StatusOr<google::protobuf::Duration> d = ParseDurationArg(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status();
    EXPECT_EQ(d->seconds(), c.seconds) << c.text;
  }
}

TEST(ParseDurationArgTest, RejectsBadInput) {
  for (const char* bad : {"", "30", "d", "3w", "-1h", "0s", "1.5h", "h1"}) {
    EXPECT_FALSE(ParseDurationArg(bad).ok()) << bad;
  }
}

TEST(EnumTest, NamesAndParses) {
  EXPECT_EQ(VerdictName(v1::NOT_READY), "NOT_READY");
  EXPECT_EQ(ConditionName(v1::R3_OPEN_DISPUTES), "R3_OPEN_DISPUTES");
  EXPECT_EQ(VerdictName(static_cast<v1::Verdict>(99)), "99");
  EXPECT_EQ(*ParseVerdict("ready_at"), v1::READY_AT);
  EXPECT_EQ(*ParseAlertKind("ACCOUNT_MISMATCH"), v1::ACCOUNT_MISMATCH);
  absl::StatusOr<v1::Verdict> bad = ParseVerdict("maybe");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("READY_AT"));
  EXPECT_FALSE(ParseVerdict("VERDICT_UNSPECIFIED").ok());
}

TEST(TextTableTest, AlignsColumns) {
  TextTable table({"A", "LONGER"});
  table.AddRow({"wide cell", "x"});
  table.AddRow({"y"});
  EXPECT_EQ(table.Render(),
            "A          LONGER\n"
            "wide cell  x\n"
            "y\n");
}

v1::ReadinessReport ClosedNotReadyReport() {
  v1::ReadinessReport r;
  r.set_tenant("acme");
  r.set_shop_id("tts-us-001");
  r.set_profile("tiktok_shop_cross_border");
  r.set_lifecycle(v1::CLOSED);
  r.set_verdict(v1::NOT_READY);
  *r.mutable_as_of() = T("2026-03-05T00:00:00Z");
  v1::Blocker* claim = r.add_blockers();
  claim->set_condition(v1::R3_OPEN_DISPUTES);
  claim->set_summary("1 open dispute");
  claim->set_count(1);
  claim->add_ids("atoz-77");
  v1::Blocker* fee = r.add_blockers();
  fee->set_condition(v1::R4_UNPAID_FEES);
  fee->set_summary("1 unpaid fee");
  fee->set_count(1);
  fee->add_ids("ads-2026-02");
  *fee->add_amounts() = M(3500, "USD");
  v1::Blocker* wait = r.add_blockers();
  wait->set_condition(v1::R7_WAITING_PERIOD);
  wait->set_count(1);
  *wait->mutable_clears_at() = T("2026-04-01T00:00:00Z");
  *r.add_balance() = M(50000, "USD");
  *r.add_refundable() = M(50000, "USD");
  *r.add_recoverable_by_appeal() = M(2000, "USD");
  r.set_events_applied(9);
  return r;
}

TEST(FormatReadinessReportTest, ShowsVerdictBlockersAndMoney) {
  const std::string text = FormatReadinessReport(ClosedNotReadyReport());
  EXPECT_THAT(text, HasSubstr("acme/tts-us-001"));
  EXPECT_THAT(text, HasSubstr("verdict     NOT_READY"));
  EXPECT_THAT(text, HasSubstr("lifecycle   CLOSED"));
  EXPECT_THAT(text, HasSubstr("R3_OPEN_DISPUTES: 1 open dispute"));
  EXPECT_THAT(text, HasSubstr("atoz-77"));
  EXPECT_THAT(text, HasSubstr("R4_UNPAID_FEES"));
  EXPECT_THAT(text, HasSubstr("USD 35.00"));
  EXPECT_THAT(text, HasSubstr("clears at  2026-04-01T00:00:00Z"));
  EXPECT_THAT(text, HasSubstr("balance     USD 500.00"));
  EXPECT_THAT(text, HasSubstr("refundable  USD 500.00"));
  EXPECT_THAT(text, HasSubstr("by appeal   USD 20.00 (recoverable)"));
  EXPECT_THAT(text, HasSubstr("blockers (3)"));
  // No projection section without a projection.
  EXPECT_THAT(text, Not(HasSubstr("refund projection")));
}

TEST(FormatReadinessReportTest, ShowsProjectionSteps) {
  v1::ReadinessReport r;
  r.set_verdict(v1::READY_AT);
  *r.mutable_ready_at() = T("2026-04-01T00:00:00Z");
  v1::RefundProjection* p = r.mutable_projection();
  *p->mutable_ready_at() = T("2026-04-01T00:00:00Z");
  *p->mutable_review_done_at() = T("2026-04-22T00:00:00Z");
  p->add_steps("closed 2026-03-02 + 30 natural days = 2026-04-01");
  p->add_steps("+ 15 working days = 2026-04-22");
  const std::string text = FormatReadinessReport(r);
  EXPECT_THAT(text, HasSubstr("verdict     READY_AT"));
  EXPECT_THAT(text, HasSubstr("review done at    2026-04-22T00:00:00Z"));
  EXPECT_THAT(text, HasSubstr("1. closed 2026-03-02 + 30 natural days"));
  EXPECT_THAT(text, HasSubstr("2. + 15 working days"));
  EXPECT_THAT(text, HasSubstr("  none\n"));
}

TEST(FormatExplainTest, ListsEvidenceEvents) {
  v1::ExplainResponse response;
  *response.mutable_report() = ClosedNotReadyReport();
  v1::BlockerExplanation* e = response.add_explanations();
  *e->mutable_blocker() = response.report().blockers(0);
  v1::EvidenceEvent* ev = e->add_events();
  ev->set_event_id("tour-011");
  ev->set_type("dispute_opened");
  ev->set_subject("atoz-77");
  ev->set_detail("A_TO_Z claim opened");
  *ev->mutable_occurred_at() = T("2026-02-25T00:00:00Z");
  const std::string text = FormatExplain(response);
  EXPECT_THAT(text, HasSubstr("evidence"));
  EXPECT_THAT(text, HasSubstr("2026-02-25T00:00:00Z  dispute_opened  atoz-77  "
                              "A_TO_Z claim opened  [tour-011]"));
}

TEST(FormatShopTableTest, OneRowPerShop) {
  v1::ShopSummary s;
  s.set_tenant("acme");
  s.set_shop_id("tts-us-001");
  s.set_verdict(v1::NOT_READY);
  s.set_lifecycle(v1::CLOSED);
  s.add_blocking(v1::R3_OPEN_DISPUTES);
  s.add_blocking(v1::R4_UNPAID_FEES);
  s.add_risks(v1::CLOSURE_BLOCKED);
  const std::string text = FormatShopTable({s});
  EXPECT_THAT(text, HasSubstr("VERDICT"));
  EXPECT_THAT(text, HasSubstr("R3_OPEN_DISPUTES,R4_UNPAID_FEES"));
  EXPECT_THAT(text, HasSubstr("CLOSURE_BLOCKED"));
}

TEST(FormatAlertLineTest, OneLine) {
  v1::Alert a;
  a.set_sequence(12);
  a.set_state(v1::FIRING);
  a.set_severity(v1::CRITICAL);
  a.mutable_key()->set_tenant("acme");
  a.mutable_key()->set_shop_id("s1");
  a.mutable_key()->set_kind(v1::DISPUTE_RESPONSE_DUE);
  a.mutable_key()->set_subject("d1");
  a.set_stage("6h");
  a.set_summary("respond with logistics proof");
  *a.mutable_amount_at_risk() = M(1999, "USD");
  const std::string line = FormatAlertLine(a);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_THAT(line, HasSubstr("#12 - FIRING CRITICAL DISPUTE_RESPONSE_DUE "
                              "acme/s1 [d1] (6h): respond with logistics "
                              "proof; at risk USD 19.99"));
}

// An UPDATED transition is marked, so that a reader of `alerts watch` sees
// the same alert with new content, not a new page.
TEST(FormatAlertLineTest, UpdatedIsMarked) {
  v1::Alert a;
  a.set_sequence(13);
  a.set_state(v1::FIRING);
  a.set_severity(v1::WARNING);
  a.set_change(v1::UPDATED);
  a.mutable_key()->set_tenant("acme");
  a.mutable_key()->set_shop_id("s1");
  a.mutable_key()->set_kind(v1::CLOSURE_BLOCKED);
  a.set_stage("day1");
  a.set_summary("closure requested but 1 conditions block the refund");
  EXPECT_THAT(FormatAlertLine(a),
              HasSubstr("#13 - FIRING WARNING CLOSURE_BLOCKED acme/s1 (day1) "
                        "updated: closure requested but 1 conditions"));
  a.set_change(v1::ESCALATED);
  EXPECT_THAT(FormatAlertLine(a), Not(HasSubstr("updated")));
}

TEST(FormatStatsTest, NamesEveryCounter) {
  v1::StatsResponse s;
  s.set_events_applied(100000);
  const std::string text = FormatStats(s);
  EXPECT_THAT(text, HasSubstr("events_applied"));
  EXPECT_THAT(text, HasSubstr("100000"));
  EXPECT_THAT(text, HasSubstr("dedupe_ids"));
}

TEST(FormatStatsTest, FailingSinkShowsItsRefusalsByReason) {
  v1::StatsResponse s;
  v1::SinkDeliveryStats* k = s.add_sinks();
  k->set_name("team-robot");
  k->set_type(v1::DINGTALK);
  k->set_delivered(12);
  k->set_refused(3);
  (*k->mutable_refused_by_reason())["dingtalk errcode 310000"] = 3;
  k->set_failing(true);
  k->set_last_error("dingtalk errcode 310000: keywords not in content");
  const std::string text = FormatStats(s);
  EXPECT_THAT(text, HasSubstr("team-robot"));
  EXPECT_THAT(text, HasSubstr("FAILING"));
  EXPECT_THAT(text, HasSubstr("dingtalk errcode 310000 x3"));
  EXPECT_THAT(text, HasSubstr("keywords not in content"));
}

}  // namespace
}  // namespace depositd::tools
