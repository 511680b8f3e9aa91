#include "watchers/unicode_text.h"

#include "gtest/gtest.h"

namespace depositd::watchers {
namespace {

// Well-formedness (FirstInvalidUtf8) is tested in common/utf8_test.cc.

TEST(UnicodeTextTest, ControlAndFormatCharacters) {
  const struct {
    char32_t c;
    bool control_or_format;
  } cases[] = {
      {0x00, true},    {0x1f, true},     {0x7f, true},    {0x85, true},
      {0x9f, true},    {0xad, true},     {0x200d, true},  {0x202e, true},
      {0x2066, true},  {0xfeff, true},   {0xe0001, true}, {0xe007f, true},
      {0x20, false},   {0x41, false},    {0xa0, false},   {0xe9, false},
      {0x2010, false}, {0x1f600, false}, {0xfffd, false}, {0xe0080, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(static_cast<uint32_t>(c.c));
    EXPECT_EQ(IsControlOrFormat(c.c), c.control_or_format);
  }
}

TEST(UnicodeTextTest, FirstControlOrFormat) {
  EXPECT_EQ(FirstControlOrFormat("shop-1"), std::nullopt);
  EXPECT_EQ(FirstControlOrFormat("\xe5\xba\x97\xe9\x93\xba"), std::nullopt);
  EXPECT_EQ(FirstControlOrFormat("shop\xe2\x80\xae"
                                 "1-pohs"),
            U'\u202e');
  EXPECT_EQ(FirstControlOrFormat("\xef\xbb\xbfshop"), U'\ufeff');
  EXPECT_EQ(FirstControlOrFormat("a\xe2\x80\x8d"
                                 "b"),
            U'\u200d');
  EXPECT_EQ(FirstControlOrFormat("a\xc2\x85"), U'\u0085');
}

}  // namespace
}  // namespace depositd::watchers
