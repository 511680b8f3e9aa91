#include "notifier/phrases.h"

#include <string>

#include "gtest/gtest.h"

namespace depositd::notifier {
namespace {

// Latin letters in a Chinese phrase, other than the condition numbers
// ("R3") and names that are Latin in Chinese too (A-to-Z, Slack, ...).
bool HasEnglishWord(const std::string& s) {
  int run = 0;
  for (char c : s) {
    const bool latin = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    run = latin ? run + 1 : 0;
    if (run >= 3) return true;
  }
  return false;
}

TEST(PhrasesTest, EveryKindAndConditionHasWordsInBothLanguages) {
  const Phrases& en = PhrasesFor("en");
  const Phrases& zh = PhrasesFor("zh-CN");
  EXPECT_EQ(&PhrasesFor("fr"), &en);
  for (int k = v1::AlertKind_MIN; k <= v1::AlertKind_MAX; ++k) {
    if (k == v1::ALERT_KIND_UNSPECIFIED) continue;
    const auto kind = static_cast<v1::AlertKind>(k);
    SCOPED_TRACE(v1::AlertKind_Name(kind));
    EXPECT_NE(en.KindTitle(kind), "Alert");
    EXPECT_NE(zh.KindTitle(kind), "告警");
    EXPECT_FALSE(HasEnglishWord(zh.KindTitle(kind)));
    EXPECT_FALSE(HasEnglishWord(zh.DueLabel(kind)));
  }
  for (int c = v1::Condition_MIN; c <= v1::Condition_MAX; ++c) {
    if (!v1::Condition_IsValid(c) || c == v1::CONDITION_UNSPECIFIED) continue;
    const auto condition = static_cast<v1::Condition>(c);
    SCOPED_TRACE(v1::Condition_Name(condition));
    EXPECT_FALSE(HasEnglishWord(zh.Condition(condition)));
    EXPECT_FALSE(
        HasEnglishWord(zh.Blocker(condition, "2", "", "2 things block")));
    EXPECT_FALSE(HasEnglishWord(zh.Blocker(condition, "", "", "")));
    EXPECT_EQ(en.Blocker(condition, "2", "", "2 things block"),
              "2 things block");
  }
}

TEST(PhrasesTest, ChineseBlockersFromCountsAndAmounts) {
  const Phrases& zh = PhrasesFor("zh-CN");
  EXPECT_EQ(zh.Blocker(v1::R1_ORDERS_IN_FLIGHT, "30", "", "30 orders ..."),
            "30 笔订单尚未完成（未发货、已发货或运输中）");
  EXPECT_EQ(zh.Blocker(v1::R4_UNPAID_FEES, "2", "USD 35.00, CNY 10.00", ""),
            "2 笔费用未缴：35.00 美元，10.00 元");
  EXPECT_EQ(zh.Blocker(v1::R6_BALANCE_SHORT, "1", "CNY 500.00", ""),
            "保证金余额不足，差额：500.00 元");
}

TEST(PhrasesTest, Stages) {
  struct Case {
    const char* stage;
    const char* zh;
  };
  const Case cases[] = {{"30d", "30 天"},        {"6h", "6 小时"},
                        {"day2", "第 2 天"},     {"breached", "已超期"},
                        {"crossed", "已越限"},   {"expired", "已过期"},
                        {"future-x", "future-x"}};
  for (const Case& c : cases) {
    EXPECT_EQ(PhrasesFor("zh-CN").Stage(c.stage), c.zh) << c.stage;
    EXPECT_EQ(PhrasesFor("en").Stage(c.stage), c.stage);
  }
}

TEST(PhrasesTest, CodesTheTableDoesNotKnowPassThrough) {
  for (const char* lang : {"en", "zh-CN"}) {
    const Phrases& p = PhrasesFor(lang);
    EXPECT_EQ(p.DisputeKind("NEW_KIND"), "NEW_KIND");
    EXPECT_EQ(p.FeeCategory("NEW_FEE"), "NEW_FEE");
    EXPECT_EQ(p.Metric("new_metric"), "new_metric");
    EXPECT_EQ(p.SinkType("NEW_SINK"), "NEW_SINK");
  }
  EXPECT_EQ(PhrasesFor("zh-CN").SinkType("DINGTALK"), "钉钉");
  EXPECT_EQ(PhrasesFor("zh-CN").Metric("dsr"), "店铺评分");
  EXPECT_EQ(PhrasesFor("zh-CN").Money("USD 35.00"), "35.00 美元");
  EXPECT_EQ(PhrasesFor("zh-CN").Money("JPY 3500, XYZ 1.00"),
            "3500 日元，XYZ 1.00");
  EXPECT_EQ(PhrasesFor("en").Money("USD 35.00"), "USD 35.00");
}

}  // namespace
}  // namespace depositd::notifier
