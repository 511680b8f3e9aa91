#include "common/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace depositd::common {
namespace {

// Moved from watchers/unicode_text_test.cc with the check itself.
TEST(Utf8Test, FirstInvalidUtf8) {
  const struct {
    const char* text;
    size_t bad;
  } cases[] = {
      {"plain", absl::string_view::npos},
      {"caf\xc3\xa9 \xf0\x9f\x98\x80", absl::string_view::npos},
      {"ab\xf0\x9f", 2},        // cut inside an emoji
      {"\xc0\xaf", 0},          // overlong '/'
      {"x\xed\xa0\x80", 1},     // surrogate U+D800
      {"\xf4\x90\x80\x80", 0},  // above U+10FFFF
      {"ok\x80", 2},            // lone continuation byte
      {"\xe0\x9f\xbf", 0},      // overlong 3-byte form of U+07FF
      {"\xf0\x8f\xbf\xbf", 0},  // overlong 4-byte form of U+FFFF
      {"\xf5\x80\x80\x80", 0},  // lead byte past U+10FFFF
      {"\xc1\xbf", 0},          // overlong 2-byte form
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(FirstInvalidUtf8(c.text), c.bad);
    EXPECT_EQ(IsWellFormedUtf8(c.text), c.bad == absl::string_view::npos);
  }
  EXPECT_EQ(FirstInvalidUtf8(std::string("a\0b", 3)), absl::string_view::npos);
  EXPECT_TRUE(IsWellFormedUtf8(""));
}

TEST(Utf8Test, DecodesEachLength) {
  const struct {
    const char* text;
    char32_t code_point;
    size_t length;
  } cases[] = {
      {"A", U'A', 1},
      {"\xc3\xa9", U'\u00e9', 2},
      {"\xe5\xba\x97", U'\u5e97', 3},
      {"\xef\xbf\xbd", U'\ufffd', 3},
      {"\xf0\x9f\x98\x80", U'\U0001f600', 4},
      {"\xf4\x8f\xbf\xbf", U'\U0010ffff', 4},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    char32_t cp = 0;
    EXPECT_EQ(DecodeUtf8At(c.text, 0, &cp), c.length);
    EXPECT_EQ(cp, c.code_point);
  }
  char32_t cp = U'x';
  EXPECT_EQ(DecodeUtf8At("\xe5\xba", 0, &cp), 0u);  // cut short
  EXPECT_EQ(cp, U'x');
  EXPECT_EQ(DecodeUtf8At("a\xc3\xa9", 1, &cp), 2u);  // from an offset
  EXPECT_EQ(cp, U'\u00e9');
}

TEST(Utf8Test, ReplaceInvalidUtf8OneReplacementPerBadByte) {
  EXPECT_EQ(ReplaceInvalidUtf8("店铺 ✓ 😀"), "店铺 ✓ 😀");
  EXPECT_EQ(ReplaceInvalidUtf8(""), "");
  // A lone continuation byte, then a 3-byte sequence cut after two bytes.
  EXPECT_EQ(ReplaceInvalidUtf8("a\x80z\xe5\xba"), "a\uFFFDz\uFFFD\uFFFD");
  EXPECT_EQ(ReplaceInvalidUtf8("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD");
  EXPECT_TRUE(IsWellFormedUtf8(ReplaceInvalidUtf8("\xff\xfe\xc0\xaf ok")));
}

}  // namespace
}  // namespace depositd::common
