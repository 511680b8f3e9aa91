#include "notifier/digest.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace depositd::notifier {
namespace {

using ::testing::HasSubstr;

v1::Alert Transition(uint64_t seq, const std::string& shop,
                     v1::Severity severity, v1::AlertState state) {
  v1::Alert a;
  a.set_sequence(seq);
  a.mutable_key()->set_tenant("acme");
  a.mutable_key()->set_shop_id(shop);
  a.mutable_key()->set_kind(v1::ACCOUNT_MISMATCH);
  a.set_severity(severity);
  a.set_state(state);
  a.set_change(state == v1::FIRING ? v1::OPENED : v1::CLEARED);
  a.mutable_at()->set_seconds(1772668800);
  a.mutable_starts_at()->set_seconds(1772668800);
  return a;
}

std::vector<v1::Alert> Sample() {
  return {Transition(7, "s1", v1::CRITICAL, v1::FIRING),
          Transition(8, "s2", v1::WARNING, v1::FIRING),
          Transition(9, "s1", v1::CRITICAL, v1::RESOLVED)};
}

TEST(RenderDigestTest, EnglishOneLinePerTransitionInOrder) {
  const AlertMessage m = RenderDigest(Sample(), "en");
  EXPECT_EQ(m.title, "3 alerts for tenant acme (1 critical)");
  const size_t a = m.text.find("sequence 7");
  const size_t b = m.text.find("sequence 8");
  const size_t c = m.text.find("sequence 9");
  ASSERT_NE(a, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_THAT(m.text, HasSubstr("acme/s2"));
  EXPECT_THAT(m.text,
              HasSubstr("Full alerts: depositctl alerts list --tenant acme"));
  // Markdown: quoted lines, which every robot shows as lines.
  EXPECT_THAT(m.markdown, HasSubstr("\n\n> "));
  EXPECT_THAT(m.markdown, testing::StartsWith("### 3 alerts"));
}

TEST(RenderDigestTest, ChineseIsChinese) {
  const AlertMessage m = RenderDigest(Sample(), "zh-CN");
  EXPECT_EQ(m.title, "租户 acme 的 3 条告警（1 条严重）");
  EXPECT_THAT(m.text, HasSubstr("序号 8"));
  EXPECT_THAT(m.text,
              HasSubstr("完整告警：depositctl alerts list --tenant acme"));
  EXPECT_THAT(m.text, Not(HasSubstr("alerts for")));
  EXPECT_THAT(m.text, Not(HasSubstr("sequence")));
}

TEST(RenderDigestTest, NoCriticalNoCount) {
  const AlertMessage m =
      RenderDigest({Transition(1, "s", v1::WARNING, v1::FIRING)}, "en");
  EXPECT_EQ(m.title, "1 alert for tenant acme");
}

}  // namespace
}  // namespace depositd::notifier
