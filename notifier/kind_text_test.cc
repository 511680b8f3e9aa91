#include "notifier/kind_text.h"

#include <string>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "notifier/phrases.h"
#include "notifier/sentences.h"

namespace depositd::notifier {
namespace {

// Latin letters in a Chinese text, other than the product's own names and
// the time zone of a UTC date-time.
bool HasEnglishWord(std::string s) {
  s = absl::StrReplaceAll(
      s,
      {{"depositctl alerts list --tenant", ""}, {"depositd", ""}, {"UTC", ""}});
  int run = 0;
  for (char c : s) {
    const bool latin = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    run = latin ? run + 1 : 0;
    if (run >= 3) return true;
  }
  return false;
}

// An alert of `kind` with every evidence its text reads, in values that
// have no Latin words once worded in Chinese.
v1::Alert FullAlert(v1::AlertKind kind) {
  v1::Alert a;
  a.mutable_key()->set_tenant("7");
  a.mutable_key()->set_shop_id("8");
  a.mutable_key()->set_kind(kind);
  if (kind == v1::SINK_FAILING) a.mutable_key()->set_subject("9");
  a.mutable_due_at()->set_seconds(1772323200);
  a.mutable_amount_at_risk()->set_minor_units(3500);
  a.mutable_amount_at_risk()->set_currency("USD");
  auto& ev = *a.mutable_evidence();
  for (const char* key :
       {"days_without_sale", "limit_days", "deduction_percent", "dispute_id",
        "order_id", "deduction_id", "reason", "fee_id", "days_overdue", "value",
        "threshold", "cooling_off_days", "silence_minutes", "legal_entity_id",
        "refused_alert", "detail"}) {
    ev[key] = "9";
  }
  for (const char* key : {"amount", "balance", "required", "shortfall",
                          "outstanding", "R4_UNPAID_FEES.amounts"}) {
    ev[key] = "USD 35.00";
  }
  for (const char* key :
       {"response_due_at", "closure_requested_at", "expected_paid_at",
        "closed_at", "attempt_at", "changed_at", "expires_at", "last_event_at",
        "refund_account", "paying_accounts"}) {
    ev[key] = "2026-03-01 00:00 +08:00";
  }
  ev["dispute_kind"] = "NOT_RECEIVED";
  ev["category"] = "FINE";
  ev["metric"] = "dsr";
  ev["R4_UNPAID_FEES"] = "2 unpaid fees";
  ev["R4_UNPAID_FEES.count"] = "2";
  ev["sink_type"] = "DINGTALK";
  return a;
}

KindText Describe(const v1::Alert& a, absl::string_view language) {
  const Phrases& words = PhrasesFor(language);
  return DescribeKind(
      KindInput{a, words, SentencesFor(language), EvidenceText(a, words),
                words.Money("USD 35.00"), "2026-03-01 00:00 UTC"});
}

TEST(KindTextTest, EveryKindSaysWhatIsAtRiskAndWhatToDoInBothLanguages) {
  for (int k = v1::AlertKind_MIN; k <= v1::AlertKind_MAX; ++k) {
    if (k == v1::ALERT_KIND_UNSPECIFIED) continue;
    const auto kind = static_cast<v1::AlertKind>(k);
    SCOPED_TRACE(v1::AlertKind_Name(kind));
    const v1::Alert alert = FullAlert(kind);
    const KindText en = Describe(alert, "en");
    const KindText zh = Describe(alert, "zh-CN");
    EXPECT_FALSE(en.risk.empty());
    EXPECT_FALSE(zh.risk.empty());
    EXPECT_FALSE(en.action.empty());
    EXPECT_FALSE(zh.action.empty());
    EXPECT_NE(en.risk, zh.risk);
    EXPECT_NE(en.action, zh.action);
    EXPECT_FALSE(HasEnglishWord(zh.risk)) << zh.risk;
    EXPECT_FALSE(HasEnglishWord(zh.action)) << zh.action;
    for (const std::string& d : zh.details) {
      EXPECT_FALSE(HasEnglishWord(d)) << d;
    }
    EXPECT_EQ(en.details.size(), zh.details.size());
  }
}

TEST(KindTextTest, MissingEvidenceLeavesTheRiskToTheWatchersSummary) {
  v1::Alert a;
  a.mutable_key()->set_kind(v1::INACTIVITY);
  a.set_stage("30d");
  const KindText t = Describe(a, "en");
  EXPECT_EQ(t.risk, "");
  EXPECT_EQ(t.subject, "");
  // The action needs only the due time.
  EXPECT_EQ(t.action,
            "Make at least one sale before 2026-03-01 00:00 UTC; a sale "
            "restarts the count.");
}

TEST(KindTextTest, SubjectsInWords) {
  v1::Alert a;
  a.mutable_key()->set_kind(v1::DISPUTE_RESPONSE_DUE);
  a.mutable_key()->set_subject("D-1");
  EXPECT_EQ(Describe(a, "en").subject, "dispute D-1");
  EXPECT_EQ(Describe(a, "zh-CN").subject, "纠纷 D-1");
  a.mutable_key()->set_kind(v1::REOPEN_COOLING_OFF);
  a.mutable_key()->set_subject("registration");
  EXPECT_EQ(Describe(a, "en").subject, "new shop registration");
  EXPECT_EQ(Describe(a, "zh-CN").subject, "新店注册");
  a.mutable_key()->set_subject("other");
  EXPECT_EQ(Describe(a, "zh-CN").subject, "");  // RenderAlert shows "other"
}

TEST(KindTextTest, AsidesByLanguage) {
  const Sentences& en = SentencesFor("en");
  const Sentences& zh = SentencesFor("zh-CN");
  EXPECT_EQ(Paren(en, "x"), " (x)");
  EXPECT_EQ(Paren(zh, "x"), "（x）");
  EXPECT_EQ(Paren(zh, ""), "");
  EXPECT_EQ(Aside(en, ""), "");
  EXPECT_EQ(Aside(zh, ""), " ");
  EXPECT_EQ(AsideList(zh, {"a", "b"}), "（a，b）");
  EXPECT_EQ(AsideList(en, {"a", "b"}), " (a, b)");
  EXPECT_EQ(AsideList(zh, {""}), "（）");
  EXPECT_EQ(AsideList(zh, {}), " ");
}

}  // namespace
}  // namespace depositd::notifier
