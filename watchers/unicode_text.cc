#include "watchers/unicode_text.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "common/utf8.h"

namespace depositd::watchers {
namespace {

struct Range {
  char32_t first;
  char32_t last;
};

// General category Cf (format), from the Unicode Character Database 15.0,
// extracted/DerivedGeneralCategory.txt ("# General_Category=Format"),
// sorted. Cc (U+0000..U+001F, U+007F..U+009F) is checked apart.
constexpr Range kFormat[] = {
    {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},
    {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},
    {0x08E2, 0x08E2},   {0x180E, 0x180E},   {0x200B, 0x200F},
    {0x202A, 0x202E},   {0x2060, 0x2064},   {0x2066, 0x206F},
    {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD},
    {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},
    {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
};

}  // namespace

bool IsControlOrFormat(char32_t c) {
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;  // Cc
  if (c < 0xAD) return false;
  const Range* it =
      std::upper_bound(std::begin(kFormat), std::end(kFormat), c,
                       [](char32_t v, const Range& r) { return v < r.first; });
  return it != std::begin(kFormat) && c <= std::prev(it)->last;
}

std::optional<char32_t> FirstControlOrFormat(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp;
    const size_t len = common::DecodeUtf8At(s, i, &cp);
    if (len == 0) {
      ++i;
      continue;
    }
    if (IsControlOrFormat(cp)) return cp;
    i += len;
  }
  return std::nullopt;
}

}  // namespace depositd::watchers
