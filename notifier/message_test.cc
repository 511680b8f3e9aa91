#include "notifier/message.h"

#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/timestamps.h"
#include "depositd/v1/readiness.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace depositd::notifier {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi),
                         absl::UTCTimeZone());
}

const absl::Time kAt = Utc(2024, 3, 1, 8, 0);

struct KindCase {
  std::string name;
  v1::AlertKind kind;
  std::string shop_id;
  std::string subject;
  std::string stage;
  v1::Severity severity;
  std::map<std::string, std::string> evidence;
  int64_t money_minor;  // <0: none
  std::string currency;
  absl::Duration due_in;  // relative to kAt; InfiniteDuration: no due_at
  // Expected pieces of the message.
  std::string money_text;
  std::string due_text;  // absolute UTC
  std::string rel_en, rel_zh;
  std::string risk_en, risk_zh;
  std::string action_en, action_zh;
};

void PrintTo(const KindCase& c, std::ostream* os) { *os << c.name; }

v1::Alert Build(const KindCase& c) {
  v1::Alert a;
  a.set_sequence(4242);
  a.mutable_key()->set_tenant("acme");
  a.mutable_key()->set_shop_id(c.shop_id);
  a.mutable_key()->set_kind(c.kind);
  a.mutable_key()->set_subject(c.subject);
  a.set_state(v1::FIRING);
  a.set_change(v1::OPENED);
  a.set_severity(c.severity);
  a.set_stage(c.stage);
  a.set_summary("watcher summary");
  a.set_action("watcher action");
  for (const auto& [k, v] : c.evidence) (*a.mutable_evidence())[k] = v;
  if (c.money_minor >= 0) {
    a.mutable_amount_at_risk()->set_minor_units(c.money_minor);
    a.mutable_amount_at_risk()->set_currency(c.currency);
  }
  if (c.due_in != absl::InfiniteDuration()) {
    common::ToTimestamp(kAt + c.due_in, a.mutable_due_at());
  }
  common::ToTimestamp(kAt - absl::Hours(1), a.mutable_starts_at());
  common::ToTimestamp(kAt, a.mutable_at());
  return a;
}

const absl::Duration kNoDue = absl::InfiniteDuration();

std::vector<KindCase> Cases() {
  return {
      {"inactivity",
       v1::INACTIVITY,
       "shop-1",
       "",
       "30d",
       v1::INFO,
       {{"days_without_sale", "60"},
        {"limit_days", "90"},
        {"deduction_percent", "50"},
        {"last_sale_at", "2024-01-01 08:00 +08:00"}},
       25000,
       "USD",
       absl::Hours(24 * 30),
       "USD 250.00",
       "2024-03-31 08:00 UTC",
       "in 30 days",
       "30 天后",
       "60 days without a sale; at 90 days 50% of the deposit (USD 250.00) is "
       "deducted",
       "已连续 60 天无销售；满 90 天将扣除保证金的 50%（250.00 美元）",
       "Make at least one sale before 2024-03-31 08:00 UTC",
       "请在 2024-03-31 08:00 UTC 之前完成至少一笔销售"},
      {"inactivity_crossed",
       v1::INACTIVITY,
       "shop-1",
       "",
       "crossed",
       v1::CRITICAL,
       {{"days_without_sale", "92"},
        {"limit_days", "90"},
        {"deduction_percent", "50"}},
       25000,
       "USD",
       -absl::Hours(48),
       "USD 250.00",
       "2024-02-28 08:00 UTC",
       "overdue by 2 days",
       "已逾期 2 天",
       "the 90-day limit is crossed and 50% of the deposit (USD 250.00) is "
       "deducted",
       "已超过 90 天的限制：保证金的 50%（250.00 美元）将被扣除",
       "Make a sale now",
       "立即完成一笔销售"},
      {"dispute",
       v1::DISPUTE_RESPONSE_DUE,
       "shop-1",
       "D-7",
       "6h",
       v1::CRITICAL,
       {{"dispute_id", "D-7"},
        {"dispute_kind", "NOT_RECEIVED"},
        {"order_id", "O-1"}},
       1999,
       "USD",
       absl::Hours(5) + absl::Minutes(30),
       "USD 19.99",
       "2024-03-01 13:30 UTC",
       "in 5 h",
       "5 小时后",
       "dispute D-7 (item not received, order O-1) is unanswered",
       "纠纷 D-7（买家称未收到货，订单 O-1）尚未回复",
       "Upload proof of delivery",
       "上传物流签收证明并回复纠纷 D-7"},
      {"dispute_breached",
       v1::DISPUTE_RESPONSE_DUE,
       "shop-1",
       "D-8",
       "breached",
       v1::CRITICAL,
       {{"dispute_id", "D-8"}, {"dispute_kind", "COMPLAINT"}},
       -1,
       "",
       -absl::Hours(2),
       "",
       "2024-03-01 06:00 UTC",
       "overdue by 2 h",
       "已逾期 2 小时",
       "dispute D-8 (complaint) passed its response deadline",
       "纠纷 D-8（投诉）已超过回复期限",
       "Respond to dispute D-8",
       "立即回复纠纷 D-8 并提交证据"},
      {"appeal",
       v1::APPEAL_WINDOW_CLOSING,
       "shop-1",
       "X-1",
       "3d",
       v1::WARNING,
       {{"deduction_id", "X-1"},
        {"amount", "CNY 1,000.00"},
        {"reason", "late shipment"}},
       100000,
       "CNY",
       absl::Hours(24 * 3),
       "CNY 1000.00",
       "2024-03-04 08:00 UTC",
       "in 3 days",
       "3 天后",
       "appeal window for deduction X-1",
       "扣款 X-1（1,000.00 元，原因：late "
       "shipment）的申诉期即将截止",
       "file the appeal with evidence before 2024-03-04 08:00 UTC",
       "在 2024-03-04 08:00 UTC 之前对扣款 X-1 提交申诉材料"},
      {"balance_short",
       v1::BALANCE_SHORT,
       "shop-1",
       "USD",
       "short",
       v1::WARNING,
       {{"balance", "USD 300.00"},
        {"required", "USD 500.00"},
        {"shortfall", "USD 200.00"}},
       20000,
       "USD",
       kNoDue,
       "USD 200.00",
       "",
       "",
       "",
       "the deposit balance USD 300.00 is below the required USD 500.00 "
       "(short by USD 200.00)",
       "保证金余额 300.00 美元 低于要求的 500.00 美元，差额 200.00 美元",
       "Top up the deposit by USD 200.00",
       "请补缴保证金 200.00 美元"},
      {"unpaid_fee",
       v1::UNPAID_FEES,
       "shop-1",
       "F-3",
       "30d",
       v1::WARNING,
       {{"fee_id", "F-3"},
        {"category", "FINE"},
        {"outstanding", "USD 35.00"},
        {"days_overdue", "31"}},
       3500,
       "USD",
       -absl::Hours(24 * 31),
       "USD 35.00",
       "2024-01-30 08:00 UTC",
       "overdue by 31 days",
       "已逾期 31 天",
       "fee F-3 (fine) of USD 35.00 is unpaid 31 days",
       "费用 F-3（罚款）35.00 美元 已逾期 31 天未缴",
       "Pay fee F-3",
       "请尽快缴清费用 F-3"},
      {"metric",
       v1::METRIC_BELOW_THRESHOLD,
       "shop-1",
       "return_rate_pct",
       "below",
       v1::WARNING,
       {{"metric", "return_rate_pct"},
        {"value", "12.50"},
        {"threshold", "10.00"}},
       -1,
       "",
       kNoDue,
       "",
       "",
       "",
       "",
       "the return rate is 12.50, above the maximum 10.00",
       "退货率为 12.50，高于上限 10.00",
       "Bring the return rate back",
       "改善退货率至达标"},
      {"closure_blocked",
       v1::CLOSURE_BLOCKED,
       "shop-1",
       "",
       "day2",
       v1::WARNING,
       {{"R3_OPEN_DISPUTES", "1 open dispute"},
        {"R3_OPEN_DISPUTES.count", "1"},
        {"R4_UNPAID_FEES", "USD 35.00 unpaid"},
        {"R4_UNPAID_FEES.count", "1"},
        {"R4_UNPAID_FEES.amounts", "USD 35.00"},
        {"closure_requested_at", "2024-02-28 10:00 +08:00"}},
       -1,
       "",
       kNoDue,
       "",
       "",
       "",
       "",
       "2 conditions block the deposit refund",
       "仍有 2 项条件阻止保证金退还",
       "Clear each blocker",
       "逐项处理上述阻碍"},
      {"refund_overdue",
       v1::REFUND_OVERDUE,
       "shop-1",
       "",
       "overdue",
       v1::CRITICAL,
       {{"expected_paid_at", "2024-02-20 00:00 +08:00"},
        {"projection", "closed; review 15 working days"}},
       50000,
       "USD",
       -absl::Hours(24 * 10),
       "USD 500.00",
       "2024-02-20 08:00 UTC",
       "overdue by 10 days",
       "已逾期 10 天",
       "the deposit refund of USD 500.00 was expected by 2024-02-20 00:00 "
       "+08:00",
       "保证金退款预计于 2024-02-20 00:00 +08:00 到账，至今未收到",
       "Chase the platform's refund team",
       "联系平台客服催办退款"},
      {"account_mismatch",
       v1::ACCOUNT_MISMATCH,
       "shop-1",
       "",
       "mismatch",
       v1::WARNING,
       {{"refund_account", "alipay/123 CNY"},
        {"paying_accounts", "P1=bank/456 USD"}},
       -1,
       "",
       kNoDue,
       "",
       "",
       "",
       "",
       "the refund account alipay/123 CNY differs from the paying accounts "
       "(P1=bank/456 USD)",
       "退款账户 alipay/123 CNY 与缴纳保证金的账户（P1=bank/456 USD）",
       "Set the refund account to the paying channel",
       "请把退款账户改为原缴款的渠道、账户和币种"},
      {"reopen",
       v1::REOPEN_COOLING_OFF,
       "shop-1",
       "reopen",
       "inside",
       v1::WARNING,
       {{"closed_at", "2024-02-01 00:00 +08:00"},
        {"attempt_at", "2024-02-25 00:00 +08:00"},
        {"cooling_off_days", "90"}},
       -1,
       "",
       absl::Hours(24 * 60),
       "",
       "2024-04-30 08:00 UTC",
       "in 60 days",
       "60 天后",
       "inside the 90-day cooling-off period",
       "在 90 天冷静期内（2024-02-25 00:00 +08:00）重新开店",
       "Check the platform's cooling-off rule",
       "确认平台的冷静期规则后再操作"},
      {"feed_silent",
       v1::FEED_SILENT,
       "",
       "",
       "silent",
       v1::CRITICAL,
       {{"last_event_at", "2024-03-01 06:50 +00:00"},
        {"silence_minutes", "60"}},
       -1,
       "",
       -absl::Minutes(10),
       "",
       "2024-03-01 07:50 UTC",
       "overdue by 10 min",
       "已逾期 10 分钟",
       "no events from tenant acme for 70 minutes (last 2024-03-01 06:50 "
       "+00:00) — depositd cannot see its shops' risks; check the integration",
       "租户 acme 已 70 分钟没有推送任何事件",
       "Check the integration of tenant "
       "acme",
       "请检查租户 acme 的集成"},
      {"feed_revoked",
       v1::FEED_DEAUTHORIZED,
       "shop-1",
       "",
       "revoked",
       v1::CRITICAL,
       {{"feed_state", "DEAUTHORIZED"},
        {"changed_at", "2024-03-01 07:00 +00:00"}},
       -1,
       "",
       kNoDue,
       "",
       "",
       "",
       "",
       "the shop's feed was revoked at 2024-03-01 07:00 +00:00",
       "店铺数据授权已于 2024-03-01 07:00 +00:00 被撤销",
       "Re-authorize the integration",
       "请在平台卖家中心重新授权集成应用"},
      {"feed_expiring",
       v1::FEED_DEAUTHORIZED,
       "shop-1",
       "",
       "7d",
       v1::WARNING,
       {{"feed_state", "EXPIRING"}, {"expires_at", "2024-03-08 08:00 +00:00"}},
       -1,
       "",
       absl::Hours(24 * 7),
       "",
       "2024-03-08 08:00 UTC",
       "in 7 days",
       "7 天后",
       "the shop's feed authorization expires at 2024-03-08",
       "店铺数据授权将于 2024-03-08 08:00 +00:00 过期",
       "Renew the integration's authorization",
       "请在 2024-03-08 08:00 UTC 之前于平台卖家中心续期授权"},
      {"sink_failing",
       v1::SINK_FAILING,
       "",
       "team-robot",
       "",
       v1::CRITICAL,
       {{"sink", "team-robot"},
        {"sink_type", "DINGTALK"},
        {"reason", "dingtalk errcode 310000"},
        {"detail", "keywords not in content"},
        {"refused_alert", "acme/shop-1/UNPAID_FEES/fee-9"}},
       -1,
       "",
       kNoDue,
       "",
       "",
       "",
       "",
       "sink team-robot (DingTalk) refuses alerts: dingtalk errcode 310000 "
       "(keywords not in content); alert acme/shop-1/UNPAID_FEES/fee-9 did "
       "not reach it",
       "通知渠道 team-robot（钉钉）拒收告警：dingtalk errcode 310000"
       "（keywords not in content）；告警 acme/shop-1/UNPAID_FEES/fee-9 "
       "未送达该渠道",
       "Check sink team-robot's URL, secret (signature) and keyword rule",
       "检查通知渠道 team-robot 的地址、密钥（加签）和关键词规则"},
  };
}

// "USD 19.99" as a Chinese message writes it: "19.99 美元".
std::string ZhAmount(const std::string& formatted) {
  const std::map<std::string, std::string> names = {
      {"USD", "美元"}, {"CNY", "元"}, {"EUR", "欧元"}, {"GBP", "英镑"}};
  auto it = names.find(formatted.substr(0, 3));
  if (it == names.end() || formatted.size() < 5) return formatted;
  return absl::StrCat(formatted.substr(4), " ", it->second);
}

class RenderKindTest : public ::testing::TestWithParam<KindCase> {};

TEST_P(RenderKindTest, English) {
  const KindCase& c = GetParam();
  const AlertMessage m = RenderAlert(Build(c), "en");
  for (const std::string* s : {&m.text, &m.markdown}) {
    if (c.shop_id.empty()) {
      EXPECT_THAT(*s, HasSubstr("tenant acme (all shops)"));
    } else {
      EXPECT_THAT(*s, HasSubstr("acme/" + c.shop_id));
    }
    EXPECT_THAT(*s, HasSubstr(c.risk_en));
    EXPECT_THAT(*s, HasSubstr(c.action_en));
    if (!c.money_text.empty()) EXPECT_THAT(*s, HasSubstr(c.money_text));
    if (!c.due_text.empty()) {
      EXPECT_THAT(*s, HasSubstr(c.due_text + " (" + c.rel_en + ")"));
    }
    EXPECT_THAT(*s, HasSubstr("sequence 4242"));
    EXPECT_THAT(*s, Not(HasSubstr("watcher summary")));
  }
  EXPECT_EQ(m.title.find('\n'), std::string::npos);
  EXPECT_THAT(m.title, HasSubstr("FIRING"));
  EXPECT_THAT(m.title, HasSubstr(c.shop_id.empty() ? "tenant acme"
                                                   : "acme/" + c.shop_id));
  EXPECT_EQ(m.text.substr(0, m.title.size()), m.title);
}

TEST_P(RenderKindTest, Chinese) {
  const KindCase& c = GetParam();
  const AlertMessage m = RenderAlert(Build(c), "zh-CN");
  for (const std::string* s : {&m.text, &m.markdown}) {
    if (c.shop_id.empty()) {
      EXPECT_THAT(*s, HasSubstr("租户 acme（全部店铺）"));
    } else {
      EXPECT_THAT(*s, HasSubstr("acme/" + c.shop_id));
    }
    EXPECT_THAT(*s, HasSubstr(c.risk_zh));
    EXPECT_THAT(*s, HasSubstr(c.action_zh));
    if (!c.money_text.empty())
      EXPECT_THAT(*s, HasSubstr(ZhAmount(c.money_text)));
    if (!c.due_text.empty()) {
      EXPECT_THAT(*s, HasSubstr(c.due_text + "（" + c.rel_zh + "）"));
    }
    EXPECT_THAT(*s, HasSubstr("序号 4242"));
    EXPECT_THAT(*s, Not(HasSubstr("watcher")));
    // No English field labels leak into the Chinese message.
    EXPECT_THAT(*s, Not(HasSubstr("Action")));
    EXPECT_THAT(*s, Not(HasSubstr("At risk")));
  }
  EXPECT_THAT(m.title, HasSubstr("告警"));
  EXPECT_EQ(m.title.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, RenderKindTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<KindCase>& info) {
                           return info.param.name;
                         });

// The English words of a rendering that are not data: the words of the
// English message minus those of the alert's ids and evidence values.
std::set<std::string> EnglishPhraseWords(const v1::Alert& alert) {
  auto words = [](const std::string& text) {
    std::set<std::string> out;
    std::string word;
    for (char c : text + " ") {
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else {
        if (word.size() >= 3) out.insert(word);
        word.clear();
      }
    }
    return out;
  };
  std::string data =
      absl::StrCat(alert.key().tenant(), " ", alert.key().shop_id(), " ",
                   alert.key().subject(),
                   " UTC depositctl "
                   "alerts list tenant depositd ",
                   alert.acknowledged_by());
  // Evidence values are data, except the watchers' English blocker
  // summaries (keys named after a condition), which must not show.
  for (const auto& [k, v] : alert.evidence()) {
    v1::Condition condition;
    if (!v1::Condition_Parse(k, &condition)) absl::StrAppend(&data, " ", v);
  }
  const std::set<std::string> data_words = words(data);
  std::set<std::string> out;
  for (const std::string& w : words(RenderAlert(alert, "en").text)) {
    if (!data_words.count(w)) out.insert(w);
  }
  return out;
}

TEST(RenderAlertTest, ChineseHasNoEnglishDomainPhraseForAnyKindOrChange) {
  for (const KindCase& c : Cases()) {
    for (v1::AlertChange change : {v1::OPENED, v1::ESCALATED, v1::REPEATED,
                                   v1::ACKNOWLEDGED, v1::CLEARED}) {
      SCOPED_TRACE(absl::StrCat(c.name, " ", v1::AlertChange_Name(change)));
      v1::Alert a = Build(c);
      a.set_change(change);
      if (change == v1::CLEARED) a.set_state(v1::RESOLVED);
      a.set_acknowledged_by("alice");
      const std::set<std::string> english = EnglishPhraseWords(a);
      ASSERT_FALSE(english.empty());
      const AlertMessage zh = RenderAlert(a, "zh-CN");
      for (const std::string* text : {&zh.text, &zh.markdown, &zh.title}) {
        // The alert key line names the kind as an identifier.
        std::string checked;
        for (absl::string_view line : absl::StrSplit(*text, '\n')) {
          if (absl::StrContains(line, "告警键")) continue;
          absl::StrAppend(&checked, line, "\n");
        }
        std::string lower = checked;
        for (char& ch : lower) {
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
        for (const std::string& w : english) {
          // Whole words only ("sale" may be inside an id).
          for (size_t at = lower.find(w); at != std::string::npos;
               at = lower.find(w, at + 1)) {
            const bool start =
                at == 0 ||
                !std::isalpha(static_cast<unsigned char>(lower[at - 1]));
            const size_t end = at + w.size();
            const bool stop =
                end >= lower.size() ||
                !std::isalpha(static_cast<unsigned char>(lower[end]));
            EXPECT_FALSE(start && stop) << "English \"" << w << "\" in:\n"
                                        << checked;
          }
        }
      }
    }
  }
}

TEST(RenderAlertTest, EveryKindIsCovered) {
  std::set<int> kinds;
  for (const KindCase& c : Cases()) kinds.insert(c.kind);
  for (int k = v1::AlertKind_MIN; k <= v1::AlertKind_MAX; ++k) {
    if (k == v1::ALERT_KIND_UNSPECIFIED) continue;
    EXPECT_TRUE(kinds.count(k)) << v1::AlertKind_Name(k);
  }
}

TEST(RenderAlertTest, ClosureBlockedListsEachBlocker) {
  const KindCase c = Cases()[8];
  ASSERT_EQ(c.kind, v1::CLOSURE_BLOCKED);
  const AlertMessage en = RenderAlert(Build(c), "en");
  EXPECT_THAT(en.text, HasSubstr("R3 open disputes: 1 open dispute"));
  EXPECT_THAT(en.text, HasSubstr("R4 unpaid fees: USD 35.00 unpaid"));
  const AlertMessage zh = RenderAlert(Build(c), "zh-CN");
  // Chinese from the structured evidence, not the watcher's English.
  EXPECT_THAT(zh.text, HasSubstr("R3 未结纠纷：1 个纠纷、索赔或售后申请未结"));
  EXPECT_THAT(zh.text, HasSubstr("R4 未缴费用：1 笔费用未缴：35.00 美元"));
  EXPECT_THAT(zh.text, Not(HasSubstr("open dispute")));
  // WeCom shows no "- " lists: each blocker is a quoted line.
  EXPECT_THAT(zh.markdown, HasSubstr("\n\n> R3 未结纠纷："));
}

TEST(RenderAlertTest, FallsBackToWatcherSummaryWithoutEvidence) {
  v1::Alert a;
  a.mutable_key()->set_tenant("acme");
  a.mutable_key()->set_shop_id("s");
  a.mutable_key()->set_kind(v1::INACTIVITY);
  a.set_state(v1::FIRING);
  a.set_change(v1::OPENED);
  a.set_summary("45 days without a sale");
  a.set_action("Sell something.");
  const AlertMessage m = RenderAlert(a, "en");
  EXPECT_THAT(m.text, HasSubstr("45 days without a sale"));
  EXPECT_THAT(m.text, HasSubstr("Sell something."));
}

TEST(RenderAlertTest, UnknownLanguageIsEnglish) {
  const v1::Alert a = Build(Cases()[0]);
  EXPECT_EQ(RenderAlert(a, "fr").text, RenderAlert(a, "en").text);
  EXPECT_EQ(RenderAlert(a, "").text, RenderAlert(a, "en").text);
}

struct ChangeCase {
  std::string name;
  v1::AlertChange change;
  std::string title_en, text_en, title_zh, text_zh;
};

class ChangeWordingTest : public ::testing::TestWithParam<ChangeCase> {};

TEST_P(ChangeWordingTest, TitleAndText) {
  const ChangeCase& c = GetParam();
  v1::Alert a = Build(Cases()[0]);
  a.set_change(c.change);
  common::ToTimestamp(kAt - absl::Hours(26), a.mutable_starts_at());
  if (c.change == v1::CLEARED) {
    a.set_state(v1::RESOLVED);
    common::ToTimestamp(kAt, a.mutable_ends_at());
  }
  if (c.change == v1::ACKNOWLEDGED) {
    a.set_acknowledged(true);
    a.set_acknowledged_by("alice");
  }
  if (c.change == v1::REPEATED) a.set_repeat(true);
  const AlertMessage en = RenderAlert(a, "en");
  EXPECT_THAT(en.title, HasSubstr(c.title_en));
  EXPECT_THAT(en.text, HasSubstr(c.text_en));
  const AlertMessage zh = RenderAlert(a, "zh-CN");
  EXPECT_THAT(zh.title, HasSubstr(c.title_zh));
  EXPECT_THAT(zh.text, HasSubstr(c.text_zh));
  if (c.change == v1::CLEARED) {
    // A resolved alert asks for nothing and shows no countdown.
    EXPECT_THAT(en.text, Not(HasSubstr("Action")));
    EXPECT_THAT(en.text, Not(HasSubstr("in 30 days")));
    EXPECT_THAT(zh.text, Not(HasSubstr("处理建议")));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Changes, ChangeWordingTest,
    ::testing::Values(
        ChangeCase{"opened", v1::OPENED, "[INFO] FIRING: No sales (inactivity)",
                   "New alert, firing since 2024-02-29 06:00 UTC.",
                   "【提示】告警：长期无销售",
                   "新告警，2024-02-29 06:00 UTC 起触发"},
        ChangeCase{"escalated", v1::ESCALATED,
                   "[INFO] ESCALATED:", "Escalated to stage 30d (INFO)",
                   "【提示】升级：", "告警升级：进入阶段 30 天（提示）"},
        ChangeCase{"repeated", v1::REPEATED, "REMINDER:",
                   "Reminder: still firing since 2024-02-29 06:00 UTC (1 day "
                   "2 h) and not acknowledged.",
                   "提醒：",
                   "重复提醒：自 2024-02-29 06:00 UTC 起持续触发（已 1 天 "
                   "2 小时），尚无人确认。"},
        ChangeCase{"acknowledged", v1::ACKNOWLEDGED,
                   "ACKNOWLEDGED:", "Acknowledged by alice: reminders stop",
                   "已确认：", "已由 alice 确认：不再重复提醒"},
        ChangeCase{"updated", v1::UPDATED, "[INFO] UPDATED: No sales",
                   "Updated (not a new page): firing since 2024-02-29 06:00 "
                   "UTC; what follows is the situation now.",
                   "【提示】更新：长期无销售",
                   "告警内容已更新（非新告警）：自 2024-02-29 06:00 UTC "
                   "起持续触发"},
        ChangeCase{"cleared", v1::CLEARED, "RESOLVED: No sales (inactivity)",
                   "Resolved at 2024-03-01 08:00 UTC (lasted 1 day 2 h); no "
                   "action needed any more.",
                   "已恢复：长期无销售",
                   "已恢复：2024-03-01 08:00 UTC 解除（持续 1 天 2 "
                   "小时），无需再处理。"}),
    [](const ::testing::TestParamInfo<ChangeCase>& info) {
      return info.param.name;
    });

TEST(RenderAlertTest, ChangeDerivedWhenUnspecified) {
  v1::Alert a = Build(Cases()[0]);
  a.set_change(v1::ALERT_CHANGE_UNSPECIFIED);
  a.set_state(v1::RESOLVED);
  EXPECT_THAT(RenderAlert(a, "en").title, HasSubstr("RESOLVED"));
  a.set_state(v1::FIRING);
  a.set_repeat(true);
  EXPECT_THAT(RenderAlert(a, "en").title, HasSubstr("REMINDER"));
}

TEST(RenderAlertTest, SubjectInTitleAndKeyInText) {
  const v1::Alert a = Build(Cases()[2]);  // dispute D-7
  const AlertMessage en = RenderAlert(a, "en");
  EXPECT_THAT(en.title, HasSubstr("acme/shop-1 (dispute D-7)"));
  EXPECT_THAT(
      en.text,
      HasSubstr("acme/shop-1/DISPUTE_RESPONSE_DUE/D-7 · sequence 4242"));
  const AlertMessage zh = RenderAlert(a, "zh-CN");
  EXPECT_THAT(zh.title, HasSubstr("acme/shop-1（纠纷 D-7）"));
}

struct RelCase {
  absl::Duration d;
  std::string en, zh;
};

TEST(RelativeTimeTest, Table) {
  const std::vector<RelCase> cases = {
      {absl::Hours(24 * 3), "in 3 days", "3 天后"},
      {absl::Hours(24 * 3) + absl::Hours(5), "in 3 days", "3 天后"},
      {absl::Hours(24) + absl::Hours(23), "in 1 day 23 h", "1 天 23 小时后"},
      {absl::Hours(24), "in 1 day", "1 天后"},
      {absl::Hours(2) + absl::Minutes(15), "in 2 h 15 min", "2 小时 15 分钟后"},
      {absl::Hours(5) + absl::Minutes(15), "in 5 h", "5 小时后"},
      {absl::Minutes(42), "in 42 min", "42 分钟后"},
      {absl::Seconds(30), "now", "现在"},
      {-absl::Seconds(30), "now", "现在"},
      {-absl::Hours(2), "overdue by 2 h", "已逾期 2 小时"},
      {-absl::Hours(24 * 10), "overdue by 10 days", "已逾期 10 天"},
      {-absl::Minutes(5), "overdue by 5 min", "已逾期 5 分钟"},
  };
  for (const RelCase& c : cases) {
    EXPECT_EQ(RelativeTime(kAt + c.d, kAt, "en"), c.en) << c.d;
    EXPECT_EQ(RelativeTime(kAt + c.d, kAt, "zh-CN"), c.zh) << c.d;
  }
}

}  // namespace
}  // namespace depositd::notifier
