#include "common/utf8.h"

namespace depositd::common {

size_t DecodeUtf8At(absl::string_view s, size_t i, char32_t* code_point) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *code_point = c;
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
  *code_point = value;
  return len;
}

size_t FirstInvalidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    char32_t cp;
    const size_t len = DecodeUtf8At(s, i, &cp);
    if (len == 0) return i;
    i += len;
  }
  return absl::string_view::npos;
}

std::string ReplaceInvalidUtf8(absl::string_view s) {
  size_t bad = FirstInvalidUtf8(s);
  if (bad == absl::string_view::npos) return std::string(s);
  std::string out(s.substr(0, bad));
  out.reserve(s.size() + 8);
  size_t i = bad;
  while (i < s.size()) {
    char32_t cp;
    const size_t len = DecodeUtf8At(s, i, &cp);
    if (len == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace depositd::common
