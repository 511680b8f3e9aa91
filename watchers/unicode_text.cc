#include "watchers/unicode_text.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

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

// Decodes the well-formed sequence at s[i] into *cp and returns its
// length, or 0 when the bytes there are not well-formed UTF-8.
size_t DecodeAt(absl::string_view s, size_t i, char32_t* cp) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  unsigned char lo = 0x80, hi = 0xbf;  // range of the second byte
  char32_t value;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    value = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    value = c & 0x0f;
    if (c == 0xe0) lo = 0xa0;  // overlong
    if (c == 0xed) hi = 0x9f;  // surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    value = c & 0x07;
    if (c == 0xf0) lo = 0x90;  // overlong
    if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char ck = static_cast<unsigned char>(s[i + k]);
    if (ck < (k == 1 ? lo : 0x80) || ck > (k == 1 ? hi : 0xbf)) return 0;
    value = (value << 6) | (ck & 0x3f);
  }
  *cp = value;
  return len;
}

}  // namespace

size_t FirstInvalidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    char32_t cp;
    const size_t len = DecodeAt(s, i, &cp);
    if (len == 0) return i;
    i += len;
  }
  return absl::string_view::npos;
}

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
    const size_t len = DecodeAt(s, i, &cp);
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
