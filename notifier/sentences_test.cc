#include "notifier/sentences.h"

#include <string>

#include "absl/strings/substitute.h"
#include "gtest/gtest.h"

namespace depositd::notifier {
namespace {

TEST(SentencesTest, ChineseForZhCnAndEnglishOtherwise) {
  EXPECT_EQ(&SentencesFor("zh-CN"), &ChineseSentences());
  EXPECT_EQ(&SentencesFor("en"), &EnglishSentences());
  EXPECT_EQ(&SentencesFor("fr"), &EnglishSentences());
  EXPECT_EQ(&SentencesFor(""), &EnglishSentences());
}

// The placeholders of a template put the same arguments in each language's
// word order.
TEST(SentencesTest, TemplatesTakeTheirArgumentsInEachLanguagesOrder) {
  const Sentences& en = EnglishSentences();
  const Sentences& zh = ChineseSentences();
  EXPECT_EQ(absl::Substitute(en.inactivity.counting, 60, 90, 50, " (x)"),
            "60 days without a sale; at 90 days 50% of the deposit (x) is "
            "deducted");
  EXPECT_EQ(absl::Substitute(zh.inactivity.counting, 60, 90, 50, "（x）"),
            "已连续 60 天无销售；满 90 天将扣除保证金的 50%（x）");
  EXPECT_EQ(absl::Substitute(en.reopen.reopen, "C", 90, "A"),
            "the shop was reopened at A, inside the 90-day cooling-off "
            "period after its closure at C; it may be rejected");
  EXPECT_EQ(absl::Substitute(zh.reopen.reopen, "C", 90, "A"),
            "店铺于 C 关店后，在 90 天冷静期内（A）重新开店；可能被拒绝或影响"
            "保证金");
  EXPECT_EQ(absl::Substitute(en.finding.metric_below, "dsr", "3.00", "4.00",
                             "shop rating (DSR)"),
            "dsr is 3.00, below the threshold 4.00");
  EXPECT_EQ(absl::Substitute(zh.finding.metric_below, "dsr", "3.00", "4.00",
                             "店铺评分"),
            "店铺评分 为 3.00，低于 4.00 的要求");
  EXPECT_EQ(absl::Substitute(en.status.cleared, "T", "2 h"),
            "Resolved at T (lasted 2 h); no action needed any more.");
  EXPECT_EQ(absl::Substitute(zh.status.cleared, "T", "2 小时"),
            "已恢复：T 解除（持续 2 小时），无需再处理。");
}

TEST(SentencesTest, AsidesAndSeparators) {
  EXPECT_EQ(EnglishSentences().paren, " ($0)");
  EXPECT_EQ(ChineseSentences().paren, "（$0）");
  EXPECT_EQ(EnglishSentences().no_aside, "");
  EXPECT_EQ(ChineseSentences().no_aside, " ");
  EXPECT_EQ(EnglishSentences().list_separator, ", ");
  EXPECT_EQ(ChineseSentences().list_separator, "，");
}

}  // namespace
}  // namespace depositd::notifier
