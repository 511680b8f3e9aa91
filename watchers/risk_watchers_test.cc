#include "watchers/risk_watchers.h"

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "notifier/finding_text.h"
#include "watchers/test_events.h"

namespace depositd::watchers {
namespace {

using testing::At;
using testing::Events;

// The watchers write no text: the daemon has notifier/ word each finding
// (finding_text.h). These tests check the words a user sees, so they word
// the findings the same way.
void Word(const ResolvedProfile& profile, absl::Time now, WatchResult* r) {
  notifier::WordFindings(notifier::WordingFor(profile, now), &r->findings);
}
WatchResult WordedSilence(const WatchResult& r, absl::string_view language,
                          absl::Time now) {
  WatchResult worded = r;
  notifier::WordFindings({language, absl::UTCTimeZone(), now},
                         &worded.findings);
  return worded;
}

class WatcherTest : public ::testing::Test {
 protected:
  void Use(const std::string& profile,
           const std::string& tenant_language = "en") {
    if (tenant_language != "en") {
      v1::DaemonConfig config;
      v1::TenantConfig* t = config.add_tenants();
      t->set_tenant("t1");
      t->set_language(tenant_language);
      auto reg = ProfileRegistry::Create(config);
      ASSERT_TRUE(reg.ok());
      registry_ = std::move(*reg);
    }
    auto r = registry_->Resolve("t1", "s1", profile);
    ASSERT_TRUE(r.ok());
    profile_ = *r;
  }
  void Apply(const v1::Event& e) {
    absl::Status s = shop_.Apply(e, *profile_);
    ASSERT_TRUE(s.ok()) << s;
  }
  // Findings of one kind at `now`; the full result is kept in last_.
  std::vector<v1::Finding> Check(v1::AlertKind kind, absl::Time now) {
    auto w = MakeRiskWatcher(kind);
    EXPECT_NE(w, nullptr);
    last_ = WatchResult();
    w->Check(shop_, *profile_, now, &last_);
    for (const auto& f : last_.findings) {
      EXPECT_TRUE(f.summary().empty()) << "text is notifier/'s";
      EXPECT_TRUE(f.action().empty()) << "text is notifier/'s";
    }
    Word(*profile_, now, &last_);
    for (const auto& f : last_.findings) {
      EXPECT_EQ(f.key().kind(), kind);
      EXPECT_EQ(f.key().tenant(), "t1");
      EXPECT_EQ(f.key().shop_id(), "s1");
      EXPECT_FALSE(f.summary().empty());
      EXPECT_FALSE(f.action().empty());
    }
    return last_.findings;
  }

  std::unique_ptr<ProfileRegistry> registry_ = testing::BuiltIns();
  const ResolvedProfile* profile_ = nullptr;
  Events ev_;
  ShopState shop_{"t1", "s1"};
  WatchResult last_;
};

// --- domain.md §7
// -------------------------------------------------------------

TEST_F(WatcherTest, WorkedExample1NinetyDayCliff) {
  Use("generic");
  Apply(ev_.Registered(At(2025, 12, 1), "generic"));
  Apply(ev_.Paid(At(2025, 12, 1), "dep-1", 50000, "USD"));
  Apply(ev_.Sale(At(2026, 1, 10)));
  struct Case {
    absl::Time now;
    std::string stage;
    absl::Time next_check;
  } cases[] = {
      {At(2026, 3, 10), "", At(2026, 3, 11)},
      {At(2026, 3, 11), "30d", At(2026, 3, 27)},  // day 60: 30 days before
      {At(2026, 3, 27), "14d", At(2026, 4, 3)},
      {At(2026, 4, 3), "7d", At(2026, 4, 9)},
      {At(2026, 4, 9), "1d", At(2026, 4, 10)},
      {At(2026, 4, 10), "crossed", absl::InfiniteFuture()},  // day 90
      {At(2026, 5, 1), "crossed", absl::InfiniteFuture()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.now));
    const auto f = Check(v1::INACTIVITY, c.now);
    EXPECT_EQ(last_.next_check, c.next_check);
    if (c.stage.empty()) {
      EXPECT_TRUE(f.empty());
      continue;
    }
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].stage(), c.stage);
    EXPECT_EQ(f[0].key().subject(), "");
    EXPECT_EQ(f[0].amount_at_risk().minor_units(), 25000);  // 50% of USD 500
    EXPECT_NE(f[0].summary().find("50%"), std::string::npos) << f[0].summary();
  }
  const auto at60 = Check(v1::INACTIVITY, At(2026, 3, 11));
  EXPECT_EQ(at60[0].evidence().at("days_without_sale"), "60");
  EXPECT_NE(at60[0].summary().find("30d before a 50% deduction"),
            std::string::npos)
      << at60[0].summary();
  EXPECT_EQ(at60[0].severity(), v1::INFO);
  EXPECT_EQ(Check(v1::INACTIVITY, At(2026, 4, 10))[0].severity(), v1::CRITICAL);
  // One sale on 2026-03-20 resolves the alert and restarts the count.
  Apply(ev_.Order(At(2026, 3, 20), "o-1", v1::PLACED));
  EXPECT_TRUE(Check(v1::INACTIVITY, At(2026, 3, 20)).empty());
  EXPECT_EQ(last_.next_check, At(2026, 5, 19));  // 2026-03-20 + 60 days
  EXPECT_TRUE(Check(v1::INACTIVITY, At(2026, 4, 10)).empty());
}

TEST_F(WatcherTest, WorkedExample3WrongAccount) {
  Use("generic");
  Apply(ev_.Paid(At(2026, 1, 1), "dep-1", 3000000, "CNY", "corporate_account",
                 "A"));
  EXPECT_TRUE(
      Check(v1::ACCOUNT_MISMATCH, At(2026, 1, 2)).empty());  // none on file yet
  Apply(ev_.RefundAccount(At(2026, 1, 2), "corporate_account", "B", "CNY"));
  const auto f = Check(v1::ACCOUNT_MISMATCH, At(2026, 1, 3));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].evidence().at("paying_accounts").find("corporate_account/A"),
            std::string::npos);
  Apply(ev_.RefundAccount(At(2026, 1, 4), "corporate_account", "A", "CNY"));
  EXPECT_TRUE(Check(v1::ACCOUNT_MISMATCH, At(2026, 1, 5)).empty());
}

TEST_F(WatcherTest, WorkedExample4NotReceivedClaim) {
  Use("tiktok_shop_cross_border");  // 72 h default deadline
  const absl::Time opened = At(2026, 5, 1, 9);
  const absl::Time due = At(2026, 5, 4, 9);
  Apply(ev_.DisputeOpened(opened, "nr-1", v1::NOT_RECEIVED));
  struct Case {
    absl::Time now;
    std::string stage;
    v1::Severity severity;
    absl::Time next_check;
  } cases[] = {
      {opened, "", v1::SEVERITY_UNSPECIFIED, due - absl::Hours(24)},
      {due - absl::Hours(24) - absl::Seconds(1), "", v1::SEVERITY_UNSPECIFIED,
       due - absl::Hours(24)},
      {due - absl::Hours(24), "24h", v1::WARNING, due - absl::Hours(6)},
      {due - absl::Hours(7), "24h", v1::WARNING, due - absl::Hours(6)},
      {due - absl::Hours(6), "6h", v1::CRITICAL, due},
      {due, "breached", v1::CRITICAL, absl::InfiniteFuture()},
      {due + absl::Hours(30), "breached", v1::CRITICAL, absl::InfiniteFuture()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.now));
    const auto f = Check(v1::DISPUTE_RESPONSE_DUE, c.now);
    EXPECT_EQ(last_.next_check, c.next_check);
    if (c.stage.empty()) {
      EXPECT_TRUE(f.empty());
      continue;
    }
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].stage(), c.stage);
    EXPECT_EQ(f[0].severity(), c.severity);
    EXPECT_EQ(f[0].key().subject(), "nr-1");
    EXPECT_EQ(f[0].due_at().seconds(), absl::ToUnixSeconds(due));
  }
  // A response clears it.
  Apply(ev_.DisputeResponded(due - absl::Hours(2), "nr-1"));
  EXPECT_TRUE(Check(v1::DISPUTE_RESPONSE_DUE, due + absl::Hours(1)).empty());
}

TEST_F(WatcherTest, DisputeDeadlineMovesLastWriterWins) {
  Use("douyin");  // no default deadline
  const absl::Time opened = At(2026, 5, 1, 9);
  Apply(ev_.DisputeOpened(opened, "d-1", v1::REFUND_REQUEST));
  EXPECT_TRUE(Check(v1::DISPUTE_RESPONSE_DUE, opened).empty());
  EXPECT_EQ(last_.next_check, absl::InfiniteFuture());
  // Two moves delivered newest first: the later move wins.
  Apply(ev_.DisputeDeadline(At(2026, 5, 2), "d-1", At(2026, 5, 6, 9)));
  Apply(ev_.DisputeDeadline(At(2026, 5, 1, 12), "d-1", At(2026, 5, 3, 9)));
  const auto f = Check(v1::DISPUTE_RESPONSE_DUE, At(2026, 5, 5, 10));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].stage(), "24h");
  EXPECT_EQ(f[0].due_at().seconds(), absl::ToUnixSeconds(At(2026, 5, 6, 9)));
}

TEST_F(WatcherTest, WorkedExample5CounterfeitAppealWindow) {
  Use("generic");  // 7-day appeal window
  Apply(ev_.Paid(At(2026, 1, 1), "dep-1", 3000000, "CNY", "alipay", "A"));
  Apply(ev_.Deducted(At(2026, 2, 1), "ded-1", 500000, "CNY", true));
  const absl::Time deadline = At(2026, 2, 8);
  struct Case {
    absl::Time now;
    std::string stage;
    v1::Severity severity;
    absl::Time next_check;
  } cases[] = {
      {At(2026, 2, 4, 23), "", v1::SEVERITY_UNSPECIFIED, At(2026, 2, 5)},
      {At(2026, 2, 5), "3d", v1::WARNING, At(2026, 2, 7)},
      {At(2026, 2, 7), "1d", v1::CRITICAL, deadline},
      {deadline, "", v1::SEVERITY_UNSPECIFIED,
       absl::InfiniteFuture()},  // window closed
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.now));
    const auto f = Check(v1::APPEAL_WINDOW_CLOSING, c.now);
    EXPECT_EQ(last_.next_check, c.next_check);
    if (c.stage.empty()) {
      EXPECT_TRUE(f.empty());
      continue;
    }
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].stage(), c.stage);
    EXPECT_EQ(f[0].severity(), c.severity);
    EXPECT_EQ(f[0].amount_at_risk().minor_units(), 500000);
    EXPECT_EQ(f[0].evidence().at("counterfeit"), "true");
  }
  v1::Event appeal = ev_.Base(At(2026, 2, 6));
  appeal.mutable_appeal_filed()->set_deduction_id("ded-1");
  Apply(appeal);
  EXPECT_TRUE(Check(v1::APPEAL_WINDOW_CLOSING, At(2026, 2, 7)).empty());
}

TEST_F(WatcherTest, AppealWindowOffWithoutProfileWindowOrNoticeDeadline) {
  Use("douyin");  // appeal window set by the notice only
  Apply(ev_.Paid(At(2026, 1, 1), "dep-1", 3000000, "CNY", "alipay", "A"));
  Apply(ev_.Deducted(At(2026, 2, 1), "ded-1", 500000, "CNY", true));
  EXPECT_TRUE(Check(v1::APPEAL_WINDOW_CLOSING, At(2026, 2, 7)).empty());
  v1::Event with_deadline = ev_.Deducted(At(2026, 2, 1), "ded-2", 100, "CNY");
  testing::SetTs(
      At(2026, 2, 16),
      with_deadline.mutable_deposit_deducted()->mutable_appeal_deadline());
  Apply(with_deadline);
  const auto f = Check(v1::APPEAL_WINDOW_CLOSING, At(2026, 2, 13));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].key().subject(), "ded-2");
  EXPECT_EQ(f[0].stage(), "3d");
}

// --- the other watchers
// ----------------------------------------------------------

TEST_F(WatcherTest, BalanceShortAtOnceAndClearsOnTopUp) {
  Use("generic");
  Apply(ev_.Paid(At(2026, 1, 1), "dep-1", 10000, "USD"));
  EXPECT_TRUE(Check(v1::BALANCE_SHORT, At(2026, 1, 2)).empty());
  Apply(ev_.Deducted(At(2026, 1, 3), "ded-1", 2500, "USD"));
  const auto f = Check(v1::BALANCE_SHORT, At(2026, 1, 3));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].key().subject(), "USD");
  EXPECT_EQ(f[0].amount_at_risk().minor_units(), 2500);
  Apply(ev_.TopUp(At(2026, 1, 4), "top-1", 2500, "USD"));
  EXPECT_TRUE(Check(v1::BALANCE_SHORT, At(2026, 1, 4)).empty());
}

TEST_F(WatcherTest, UnpaidFeesPastTheirAge) {
  Use("generic");  // 7 days
  Apply(ev_.FeeCharged(At(2026, 3, 1), "f-1", v1::TECHNICAL_SERVICE, 1200,
                       "USD"));
  const absl::Time fires = At(2026, 3, 8);
  EXPECT_TRUE(Check(v1::UNPAID_FEES, fires - absl::Seconds(1)).empty());
  EXPECT_EQ(last_.next_check, fires);
  auto f = Check(v1::UNPAID_FEES, fires);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].stage(), "7d");
  EXPECT_EQ(f[0].key().subject(), "f-1");
  EXPECT_EQ(f[0].amount_at_risk().minor_units(), 1200);
  Apply(ev_.FeePaid(At(2026, 3, 9), "f-1", 1200, "USD"));
  EXPECT_TRUE(Check(v1::UNPAID_FEES, At(2026, 3, 10)).empty());
}

// Fees are kept by due time; findings still come in fee-id order, and the
// next check is the earliest fee not old enough yet, whatever the ids.
TEST_F(WatcherTest, UnpaidFeesFireInIdOrderAndWakeForTheNextOne) {
  Use("generic");  // 7 days
  struct Fee {
    const char* id;
    int charged_day;  // of March 2026
    bool paid;
  };
  const Fee fees[] = {{"f-9", 1, false}, {"f-1", 3, false},
                      {"f-5", 2, true},  {"f-3", 10, false},
                      {"f-7", 2, false}, {"f-2", 12, false}};
  for (const Fee& f : fees) {
    Apply(
        ev_.FeeCharged(At(2026, 3, f.charged_day), f.id, v1::FINE, 100, "USD"));
    if (f.paid) Apply(ev_.FeePaid(At(2026, 3, 14), f.id, 100, "USD"));
  }
  struct Case {
    absl::Time now;
    std::vector<std::string> firing;
    absl::Time next_check;
  };
  const Case cases[] = {
      {At(2026, 3, 7), {}, At(2026, 3, 8)},
      {At(2026, 3, 8), {"f-9"}, At(2026, 3, 9)},
      {At(2026, 3, 10), {"f-1", "f-7", "f-9"}, At(2026, 3, 17)},
      {At(2026, 3, 19),
       {"f-1", "f-2", "f-3", "f-7", "f-9"},
       absl::InfiniteFuture()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.now));
    std::vector<std::string> firing;
    for (const auto& f : Check(v1::UNPAID_FEES, c.now)) {
      firing.push_back(f.key().subject());
    }
    EXPECT_EQ(firing, c.firing);
    EXPECT_EQ(last_.next_check, c.next_check);
  }
}

TEST_F(WatcherTest, MetricBelowThreshold) {
  Use("tiktok_shop_cross_border");
  v1::Event m = ev_.Base(At(2026, 3, 1));
  m.mutable_metrics_reported()->set_fulfilment_rate_pct(98.5);
  m.mutable_metrics_reported()->set_dsr(4.6);
  Apply(m);
  auto f = Check(v1::METRIC_BELOW_THRESHOLD, At(2026, 3, 1));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].key().subject(), "dsr");
  v1::Event better = ev_.Base(At(2026, 3, 2));
  better.mutable_metrics_reported()->set_dsr(4.8);
  Apply(better);
  EXPECT_TRUE(Check(v1::METRIC_BELOW_THRESHOLD, At(2026, 3, 2)).empty());
}

TEST_F(WatcherTest, ClosureBlockedAtOnceThenDaily) {
  Use("tiktok_shop_cross_border");
  Apply(ev_.Paid(At(2026, 1, 1), "dep-1", 50000, "USD", "paypal", "P"));
  Apply(ev_.RefundAccount(At(2026, 1, 1), "paypal", "P", "USD"));
  Apply(ev_.DisputeOpened(At(2026, 2, 25), "atoz-1", v1::A_TO_Z));
  EXPECT_TRUE(Check(v1::CLOSURE_BLOCKED, At(2026, 3, 1)).empty());  // operating
  const absl::Time requested = At(2026, 3, 2, 10);
  Apply(ev_.ClosureRequested(requested));
  auto f = Check(v1::CLOSURE_BLOCKED, requested);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].stage(), "day1");
  EXPECT_TRUE(f[0].evidence().contains("R3_OPEN_DISPUTES"));
  EXPECT_FALSE(f[0].evidence().contains("R7_WAITING_PERIOD"));
  EXPECT_EQ(last_.next_check, requested + absl::Hours(24));
  f = Check(v1::CLOSURE_BLOCKED, requested + absl::Hours(24));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].stage(), "day2");
  Apply(ev_.DisputeResolved(At(2026, 3, 4), "atoz-1"));
  Apply(ev_.Closed(At(2026, 3, 4)));
  // Only the waiting period remains: it clears by time, so no alert.
  EXPECT_TRUE(Check(v1::CLOSURE_BLOCKED, At(2026, 3, 5)).empty());
}

TEST_F(WatcherTest, RefundOverdueAtProjectedDatePlusGrace) {
  Use("generic");  // review 14 natural days, transit 3 working days, grace 7
  Apply(ev_.Paid(At(2026, 1, 1), "dep-1", 10000, "USD"));
  Apply(ev_.RefundAccount(At(2026, 1, 1), "bank_transfer", "A", "USD"));
  Apply(ev_.Closed(At(2026, 3, 2, 10)));
  v1::Event req = ev_.Base(At(2026, 3, 2, 12));
  req.mutable_refund_requested()->set_refund_id("r-1");
  Apply(req);
  // The review counts from when every condition held (the closure, 03-02
  // 10:00), not from the application (generic: review does not start at
  // the refund request): + 14 days = 03-16 (Mon) + 3 working days = 03-19
  // + 7 = 03-26.
  const absl::Time overdue = At(2026, 3, 26, 10);
  EXPECT_TRUE(Check(v1::REFUND_OVERDUE, overdue - absl::Seconds(1)).empty());
  EXPECT_EQ(last_.next_check, overdue);
  auto f = Check(v1::REFUND_OVERDUE, overdue);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].stage(), "overdue");
  EXPECT_EQ(f[0].due_at().seconds(), absl::ToUnixSeconds(At(2026, 3, 19, 10)));
  v1::Event paid = ev_.Base(At(2026, 3, 27));
  paid.mutable_refund_paid()->set_refund_id("r-1");
  *paid.mutable_refund_paid()->mutable_amount() = testing::Money(10000, "USD");
  Apply(paid);
  EXPECT_TRUE(Check(v1::REFUND_OVERDUE, At(2026, 3, 28)).empty());
}

TEST_F(WatcherTest, ReopenCoolingOff) {
  Use("tiktok_shop_cross_border");  // 90 days
  Apply(ev_.Closed(At(2026, 1, 1)));
  Apply(ev_.Reopened(At(2026, 2, 1)));
  auto f = Check(v1::REOPEN_COOLING_OFF, At(2026, 2, 1));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].key().subject(), "reopen");
  EXPECT_EQ(last_.next_check, At(2026, 4, 1));  // end of the cooling-off
  EXPECT_TRUE(Check(v1::REOPEN_COOLING_OFF, At(2026, 4, 1)).empty());

  // A new shop of an entity that closed another shop 100 days earlier: fine.
  ShopState other("t1", "s1");
  Events ev;
  v1::Event reg = ev.Registered(At(2026, 4, 11), "tiktok_shop_cross_border");
  testing::SetTs(
      At(2026, 1, 1),
      reg.mutable_shop_registered()->mutable_entity_last_closed_at());
  ASSERT_TRUE(other.Apply(reg, *profile_).ok());
  WatchResult out;
  MakeRiskWatcher(v1::REOPEN_COOLING_OFF)
      ->Check(other, *profile_, At(2026, 4, 11), &out);
  EXPECT_TRUE(out.findings.empty());
  // 50 days earlier: inside.
  ShopState third("t1", "s1");
  reg = ev.Registered(At(2026, 2, 20), "tiktok_shop_cross_border");
  testing::SetTs(
      At(2026, 1, 1),
      reg.mutable_shop_registered()->mutable_entity_last_closed_at());
  ASSERT_TRUE(third.Apply(reg, *profile_).ok());
  MakeRiskWatcher(v1::REOPEN_COOLING_OFF)
      ->Check(third, *profile_, At(2026, 2, 20), &out);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].key().subject(), "registration");
}

TEST_F(WatcherTest, ChineseTextForZhCnTenants) {
  Use("generic", "zh-CN");
  Apply(ev_.Paid(At(2025, 12, 1), "dep-1", 50000, "CNY", "alipay", "A"));
  Apply(ev_.Sale(At(2026, 1, 10)));
  const auto f = Check(v1::INACTIVITY, At(2026, 3, 11));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].summary().find("无销售"), std::string::npos) << f[0].summary();
  EXPECT_NE(f[0].action().find("销售"), std::string::npos);
}

TEST_F(WatcherTest, CheckAllIsDeterministicAndRunsEveryWatcher) {
  Use("tiktok_shop_cross_border");
  Apply(ev_.Paid(At(2026, 1, 1), "dep-1", 50000, "USD", "paypal", "P"));
  Apply(ev_.RefundAccount(At(2026, 1, 1), "paypal", "Q", "USD"));
  Apply(ev_.DisputeOpened(At(2026, 3, 1), "nr-1", v1::NOT_RECEIVED));
  Apply(ev_.ClosureRequested(At(2026, 3, 2)));
  RiskWatchers all;
  WatchResult a = all.CheckAll(shop_, *profile_, At(2026, 3, 3, 12));
  WatchResult b = all.CheckAll(shop_, *profile_, At(2026, 3, 3, 12));
  Word(*profile_, At(2026, 3, 3, 12), &a);
  Word(*profile_, At(2026, 3, 3, 12), &b);
  ASSERT_EQ(a.findings.size(), b.findings.size());
  for (size_t i = 0; i < a.findings.size(); ++i) {
    EXPECT_EQ(a.findings[i].key().SerializeAsString(),
              b.findings[i].key().SerializeAsString());
    EXPECT_EQ(a.findings[i].summary(), b.findings[i].summary());
  }
  std::set<int> kinds;
  for (const auto& f : a.findings) kinds.insert(f.key().kind());
  EXPECT_TRUE(kinds.count(v1::ACCOUNT_MISMATCH));
  EXPECT_TRUE(kinds.count(v1::CLOSURE_BLOCKED));
  EXPECT_TRUE(kinds.count(v1::DISPUTE_RESPONSE_DUE));  // 24h before 03-04 00:00
  EXPECT_EQ(a.next_check, b.next_check);
  EXPECT_LT(a.next_check, absl::InfiniteFuture());
  for (int k = v1::INACTIVITY; k <= v1::REOPEN_COOLING_OFF; ++k) {
    EXPECT_NE(MakeRiskWatcher(static_cast<v1::AlertKind>(k)), nullptr) << k;
  }
  EXPECT_NE(MakeRiskWatcher(v1::FEED_DEAUTHORIZED), nullptr);
  EXPECT_EQ(MakeRiskWatcher(v1::FEED_SILENT), nullptr);
}

// --- FEED_DEAUTHORIZED and FEED_SILENT (the blind-feed watchdog)

v1::Event FeedAuth(Events& ev, absl::Time t, v1::FeedAuthorization state,
                   absl::Time expires = absl::InfinitePast()) {
  v1::Event e = ev.Base(t);
  e.mutable_feed_authorization_changed()->set_state(state);
  if (expires != absl::InfinitePast()) {
    testing::SetTs(
        expires, e.mutable_feed_authorization_changed()->mutable_expires_at());
  }
  return e;
}

TEST_F(WatcherTest, FeedDeauthorizedFiresAtOnceAndClearsOnReauthorization) {
  Use("generic");
  Apply(FeedAuth(ev_, At(2026, 3, 1), v1::DEAUTHORIZED));
  auto f = Check(v1::FEED_DEAUTHORIZED, At(2026, 3, 1));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity(), v1::CRITICAL);
  EXPECT_EQ(f[0].stage(), "revoked");
  EXPECT_EQ(last_.next_check, absl::InfiniteFuture());
  Apply(FeedAuth(ev_, At(2026, 3, 2), v1::AUTHORIZED));
  EXPECT_TRUE(Check(v1::FEED_DEAUTHORIZED, At(2026, 3, 2)).empty());
  // An older deauthorization arriving late changes nothing.
  Apply(FeedAuth(ev_, At(2026, 2, 1), v1::DEAUTHORIZED));
  EXPECT_TRUE(Check(v1::FEED_DEAUTHORIZED, At(2026, 3, 3)).empty());
}

TEST_F(WatcherTest, FeedExpiringEscalatesBeforeExpiry) {
  Use("generic");
  const absl::Time expires = At(2026, 4, 30);
  Apply(FeedAuth(ev_, At(2026, 4, 1), v1::EXPIRING, expires));
  struct Case {
    absl::Time now;
    std::string stage;
    v1::Severity severity;
    absl::Time next_check;
  } cases[] = {
      {At(2026, 4, 1), "notice", v1::INFO, At(2026, 4, 23)},
      {At(2026, 4, 23), "7d", v1::WARNING, At(2026, 4, 29)},
      {At(2026, 4, 29), "1d", v1::CRITICAL, expires},
      {expires, "expired", v1::CRITICAL, absl::InfiniteFuture()},
  };
  for (const Case& c : cases) {
    auto f = Check(v1::FEED_DEAUTHORIZED, c.now);
    ASSERT_EQ(f.size(), 1u) << c.stage;
    EXPECT_EQ(f[0].stage(), c.stage);
    EXPECT_EQ(f[0].severity(), c.severity) << c.stage;
    EXPECT_EQ(last_.next_check, c.next_check) << c.stage;
    EXPECT_TRUE(f[0].has_due_at());
  }
}

// risk_watchers.h's contract: a watcher, of its own kind, for every
// shop-level kind (FEED_DEAUTHORIZED included); nullptr for the rest.
TEST(MakeRiskWatcherTest, AWatcherForEachShopLevelKindAndNullptrOtherwise) {
  for (int k = v1::INACTIVITY; k <= v1::REOPEN_COOLING_OFF; ++k) {
    const auto kind = static_cast<v1::AlertKind>(k);
    const auto w = MakeRiskWatcher(kind);
    ASSERT_NE(w, nullptr) << k;
    EXPECT_EQ(w->kind(), kind);
  }
  ASSERT_NE(MakeRiskWatcher(v1::FEED_DEAUTHORIZED), nullptr);
  EXPECT_EQ(MakeRiskWatcher(v1::FEED_DEAUTHORIZED)->kind(),
            v1::FEED_DEAUTHORIZED);
  EXPECT_EQ(MakeRiskWatcher(v1::FEED_SILENT), nullptr);
  EXPECT_EQ(MakeRiskWatcher(v1::SINK_FAILING), nullptr);
  EXPECT_EQ(MakeRiskWatcher(v1::ALERT_KIND_UNSPECIFIED), nullptr);
  EXPECT_EQ(MakeRiskWatcher(static_cast<v1::AlertKind>(999)), nullptr);
}

TEST(FeedSilenceTest, FiresAfterTheSilenceAndNotBefore) {
  const absl::Time heard = At(2026, 5, 1, 10);
  const absl::Duration silence = absl::Minutes(30);
  struct Case {
    absl::Time now;
    bool fires;
    absl::Time next_check;
  } cases[] = {
      {heard, false, heard + silence},
      {heard + absl::Minutes(29), false, heard + silence},
      {heard + silence, true, absl::InfiniteFuture()},
      {heard + absl::Hours(5), true, absl::InfiniteFuture()},
  };
  for (const Case& c : cases) {
    WatchResult r = WordedSilence(
        CheckFeedSilence("acme", heard, silence, c.now), "en", c.now);
    ASSERT_EQ(r.findings.size(), c.fires ? 1u : 0u);
    EXPECT_EQ(r.next_check, c.next_check);
    if (c.fires) {
      const v1::Finding& f = r.findings[0];
      EXPECT_EQ(f.key().tenant(), "acme");
      EXPECT_EQ(f.key().shop_id(), "");
      EXPECT_EQ(f.key().kind(), v1::FEED_SILENT);
      EXPECT_EQ(f.severity(), v1::CRITICAL);
      EXPECT_NE(f.summary().find("acme"), std::string::npos);
      EXPECT_FALSE(f.action().empty());
    }
  }
  EXPECT_TRUE(CheckFeedSilence("acme", heard, absl::ZeroDuration(),
                               heard + absl::Hours(100))
                  .findings.empty());
  WatchResult zh = WordedSilence(
      CheckFeedSilence("acme", heard, silence, heard + absl::Hours(1)), "zh-CN",
      heard + absl::Hours(1));
  ASSERT_EQ(zh.findings.size(), 1u);
  EXPECT_NE(zh.findings[0].summary().find("没有推送"), std::string::npos);
}

// Issue 13 point 4: a Shopee shop closed with a dispute still open. The
// 30-day post-closure grace ends 2026-03-31 (SEA calendar); CLOSURE_BLOCKED
// escalates 7 days and 1 day before it and when it passes, and says so.
TEST_F(WatcherTest, ClosureBlockedEscalatesBeforeAndAtThePostClosureGraceEnd) {
  Use("shopee");
  Apply(ev_.Paid(At(2026, 1, 1), "dep-1", 10000, "USD"));
  Apply(ev_.RefundAccount(At(2026, 1, 1), "bank_transfer", "A", "USD"));
  Apply(ev_.DisputeOpened(At(2026, 2, 25), "d-1", v1::A_TO_Z));
  Apply(ev_.Closed(At(2026, 3, 1)));  // 08:00 in Singapore
  const absl::Time grace_end = At(2026, 3, 31);
  struct Case {
    absl::Time now;
    std::string stage;
    v1::Severity severity;
    bool says_passed;
  } cases[] = {
      {At(2026, 3, 23, 23), "day23", v1::WARNING, false},
      {At(2026, 3, 24), "day24-grace-7d", v1::WARNING, false},
      {At(2026, 3, 30), "day30-grace-1d", v1::CRITICAL, false},
      {grace_end - absl::Seconds(1), "day30-grace-1d", v1::CRITICAL, false},
      {grace_end, "day31-grace-passed", v1::CRITICAL, true},
      {At(2026, 4, 10), "day41-grace-passed", v1::CRITICAL, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.now));
    const auto f = Check(v1::CLOSURE_BLOCKED, c.now);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].stage(), c.stage);
    EXPECT_EQ(f[0].severity(), c.severity);
    EXPECT_EQ(f[0].due_at().seconds(), absl::ToUnixSeconds(grace_end));
    EXPECT_EQ(f[0].evidence().at("grace_ends_at"), "2026-03-31 08:00 +08:00");
    EXPECT_EQ(
        f[0].summary().find("grace ended 2026-03-31") != std::string::npos,
        c.says_passed)
        << f[0].summary();
    EXPECT_LE(last_.next_check, c.now + absl::Hours(24));
  }
  // The escalation is scheduled: just before the 7-day lead, the next check
  // is the lead itself.
  Check(v1::CLOSURE_BLOCKED, At(2026, 3, 23, 23, 30));
  EXPECT_EQ(last_.next_check, At(2026, 3, 24));
  // Resolving the dispute clears the alert.
  Apply(ev_.DisputeResolved(At(2026, 4, 11), "d-1"));
  EXPECT_TRUE(Check(v1::CLOSURE_BLOCKED, At(2026, 4, 12)).empty());
}

// Without a post-closure grace (TikTok Shop) nothing about a grace is said.
TEST_F(WatcherTest, ClosureBlockedWithoutGraceHasNoGraceStage) {
  Use("tiktok_shop_cross_border");
  Apply(ev_.DisputeOpened(At(2026, 2, 25), "d-1", v1::A_TO_Z));
  Apply(ev_.Closed(At(2026, 3, 1)));
  const auto f = Check(v1::CLOSURE_BLOCKED, At(2026, 5, 1));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].stage().find("grace"), std::string::npos) << f[0].stage();
  EXPECT_FALSE(f[0].evidence().contains("grace_ends_at"));
}

// Issue 13 point 5: Douyin's "6 months" cooling-off is six calendar months
// in Beijing time: closed 03-02 10:00, a reopen on 08-30 (past 180 days) is
// still inside; it ends 09-02 10:00 Beijing.
TEST_F(WatcherTest, ReopenCoolingOffCountsCalendarMonths) {
  Use("douyin");
  const char* cn = "Asia/Shanghai";
  Apply(ev_.Closed(At(2026, 3, 2, 10, 0, cn)));
  Apply(ev_.Reopened(At(2026, 8, 30, 10, 0, cn)));
  const absl::Time end = At(2026, 9, 2, 10, 0, cn);
  ASSERT_GT(At(2026, 8, 30, 10, 0, cn),
            At(2026, 3, 2, 10, 0, cn) + absl::Hours(24 * 180));
  struct Case {
    absl::Time now;
    bool inside;
  } cases[] = {
      {At(2026, 8, 30, 10, 0, cn), true},
      {end - absl::Seconds(1), true},
      {end, false},
      {At(2026, 9, 10), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.now));
    const auto f = Check(v1::REOPEN_COOLING_OFF, c.now);
    ASSERT_EQ(f.size(), c.inside ? 1u : 0u);
    if (!c.inside) continue;
    EXPECT_EQ(f[0].due_at().seconds(), absl::ToUnixSeconds(end));
    EXPECT_EQ(last_.next_check, end);
    EXPECT_EQ(f[0].evidence().at("cooling_off_months"), "6");
    EXPECT_NE(f[0].summary().find("6-month"), std::string::npos)
        << f[0].summary();
  }
}

}  // namespace
}  // namespace depositd::watchers
