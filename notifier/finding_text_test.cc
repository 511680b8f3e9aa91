#include "notifier/finding_text.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace depositd::notifier {
namespace {

v1::Finding Make(v1::AlertKind kind, const std::string& stage,
                 std::vector<std::pair<std::string, std::string>> evidence) {
  v1::Finding f;
  f.mutable_key()->set_tenant("acme");
  f.mutable_key()->set_shop_id("s1");
  f.mutable_key()->set_kind(kind);
  f.set_stage(stage);
  for (auto& [k, v] : evidence) (*f.mutable_evidence())[k] = v;
  return f;
}

v1::Finding Worded(v1::Finding f, absl::string_view language,
                   absl::Time now = absl::UnixEpoch()) {
  WordFinding({language, absl::UTCTimeZone(), now}, &f);
  return f;
}

TEST(FindingTextTest, InactivityInBothLanguages) {
  v1::Finding f = Make(v1::INACTIVITY, "30d",
                       {{"days_without_sale", "60"},
                        {"limit_days", "90"},
                        {"deduction_percent", "50"}});
  f.mutable_amount_at_risk()->set_minor_units(25000);
  f.mutable_amount_at_risk()->set_currency("USD");
  f.mutable_due_at()->set_seconds(1775779200);  // 2026-04-10 00:00 UTC
  const v1::Finding en = Worded(f, "en");
  EXPECT_EQ(en.summary(),
            "60 days without a sale; 30d before a 50% deduction of the "
            "deposit (USD 250.00) at 90 days");
  EXPECT_EQ(en.action(),
            "Make at least one sale before 2026-04-10 00:00 +00:00.");
  const v1::Finding zh = Worded(f, "zh-CN");
  EXPECT_EQ(zh.summary(),
            "已连续 60 天无销售；距 90 天限制还剩 30d，届时扣除保证金的 50% "
            "(USD 250.00)");
  EXPECT_EQ(zh.action(), "在 2026-04-10 00:00 +00:00 之前完成至少一笔销售");
  f.set_stage("crossed");
  EXPECT_EQ(Worded(f, "en").summary(),
            "60 days without a sale: the 90-day limit is crossed; 50% of the "
            "deposit (USD 250.00) is deducted");
  EXPECT_EQ(Worded(f, "zh-CN").action(),
            "立即完成一笔销售并联系平台确认扣款情况");
}

TEST(FindingTextTest, ClosureBlockedListsBlockersInConditionOrder) {
  v1::Finding f = Make(v1::CLOSURE_BLOCKED, "day3-grace-passed",
                       {{"R4_UNPAID_FEES", "1 unpaid fee"},
                        {"R4_UNPAID_FEES.count", "1"},
                        {"R3_OPEN_DISPUTES", "1 open dispute"},
                        {"grace_ends_at", "2026-03-31 00:00 +08:00"},
                        {"closure_requested_at", "2026-03-01 00:00 +08:00"}});
  EXPECT_EQ(Worded(f, "en").summary(),
            "closure requested but 2 conditions block the refund: "
            "R3_OPEN_DISPUTES: 1 open dispute; R4_UNPAID_FEES: 1 unpaid fee; "
            "the post-closure grace ended 2026-03-31 00:00 +08:00: the refund "
            "may be rejected");
  f.set_stage("day3-grace-7d");
  EXPECT_EQ(Worded(f, "zh-CN").summary(),
            "已申请关店，但仍有 2 项条件阻止保证金退还：R3_OPEN_DISPUTES: 1 "
            "open dispute；R4_UNPAID_FEES: 1 unpaid fee");
}

TEST(FindingTextTest, AccountMismatchNamesTheAccountAloneInChinese) {
  const v1::Finding f =
      Make(v1::ACCOUNT_MISMATCH, "mismatch",
           {{"refund_account", "paypal/Q USD"},
            {"paying_accounts", "dep-1=paypal/P USD, dep-2=alipay/A CNY"}});
  EXPECT_EQ(Worded(f, "en").summary(),
            "refund account paypal/Q USD differs from the paying accounts: "
            "dep-1=paypal/P USD, dep-2=alipay/A CNY");
  EXPECT_EQ(Worded(f, "zh-CN").summary(),
            "退款账户 Q 与缴纳保证金的账户/币种不一致：dep-1=paypal/P "
            "USD，dep-2=alipay/A CNY");
}

TEST(FindingTextTest, FeedSilentCountsTheMinutesUpToNow) {
  v1::Finding f = Make(v1::FEED_SILENT, "silent",
                       {{"last_event_at", "2026-05-01 10:00 +00:00"},
                        {"silence_minutes", "30"}});
  f.mutable_key()->clear_shop_id();
  const absl::Time due = absl::FromUnixSeconds(1777631400);  // 10:30 UTC
  f.mutable_due_at()->set_seconds(absl::ToUnixSeconds(due));
  EXPECT_EQ(
      Worded(f, "en", due + absl::Minutes(30) + absl::Seconds(59)).summary(),
      "no events from tenant acme for 60 minutes (limit 30, last at "
      "2026-05-01 10:00 +00:00): depositd cannot see its shops' risks");
  EXPECT_EQ(Worded(f, "zh-CN", due).summary(),
            "租户 acme 已超过 30 分钟没有推送任何事件（上次 2026-05-01 10:00 "
            "+00:00）：depositd 看不到其店铺的风险");
}

TEST(FindingTextTest, EveryWatcherKindIsWordedAndSinkFailingKeepsItsOwn) {
  for (int k = v1::AlertKind_MIN; k <= v1::AlertKind_MAX; ++k) {
    if (k == v1::ALERT_KIND_UNSPECIFIED) continue;
    const auto kind = static_cast<v1::AlertKind>(k);
    SCOPED_TRACE(v1::AlertKind_Name(kind));
    v1::Finding f = Make(kind, "", {});
    f.set_summary("own");
    f.set_action("own");
    for (const char* language : {"en", "zh-CN"}) {
      const v1::Finding w = Worded(f, language);
      if (kind == v1::SINK_FAILING) {
        EXPECT_EQ(w.summary(), "own");
      } else {
        EXPECT_NE(w.summary(), "own");
        EXPECT_NE(w.action(), "own");
        EXPECT_FALSE(w.action().empty());
      }
    }
  }
}

}  // namespace
}  // namespace depositd::notifier
