#include "common/currency.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace depositd::common {
namespace {

TEST(Currency, KnowsIsoCodesAndTheirMinorDigits) {
  struct Case {
    const char* code;
    std::optional<int> digits;
  } cases[] = {
      {"USD", 2},
      {"CNY", 2},
      {"GBP", 2},
      {"JPY", 0},
      {"KRW", 0},
      {"KWD", 3},
      {"AED", 2},
      {"ZWL", 2},
      {"XYZ", std::nullopt},
      {"usd", std::nullopt},
      {"", std::nullopt},
      {"USDT", std::nullopt},
      {"US", std::nullopt},
      {"\xffUS", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CurrencyMinorDigits(c.code), c.digits) << c.code;
    EXPECT_EQ(IsKnownCurrency(c.code), c.digits.has_value()) << c.code;
  }
  EXPECT_EQ(CurrencyMinorDigits(absl::string_view("USD\0", 4)), std::nullopt);
  EXPECT_EQ(CurrencyMinorDigits(absl::string_view("US\0", 3)), std::nullopt);
}

TEST(Currency, FormatsExactly) {
  EXPECT_EQ(FormatMoney(3500, "USD"), "USD 35.00");
  EXPECT_EQ(FormatMoney(-3505, "USD"), "USD -35.05");
  EXPECT_EQ(FormatMoney(3500, "JPY"), "JPY 3500");
  EXPECT_EQ(FormatMoney(1250, "KWD"), "KWD 1.250");
  EXPECT_EQ(FormatMoney(7, "CNY"), "CNY 0.07");
  EXPECT_EQ(FormatMoney(std::numeric_limits<int64_t>::min(), "USD"),
            "USD -92233720368547758.08");
}

// FormatMoney as it was written first (StrCat and StrFormat), the
// definition the hand-rolled one must match.
std::string ReferenceFormatMoney(int64_t minor_units,
                                 absl::string_view currency) {
  const int digits = CurrencyMinorDigits(currency).value_or(2);
  const bool negative = minor_units < 0;
  const uint64_t magnitude = negative ? ~static_cast<uint64_t>(minor_units) + 1
                                      : static_cast<uint64_t>(minor_units);
  uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  std::string out =
      absl::StrCat(currency, " ", negative ? "-" : "", magnitude / scale);
  if (digits > 0) {
    absl::StrAppend(&out, ".",
                    absl::StrFormat("%0*d", digits, magnitude % scale));
  }
  return out;
}

TEST(Currency, FormatsEveryAmountAsTheReferenceDoes) {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  std::vector<int64_t> amounts = {0,     1,    9,    10,       99,
                                  100,   101,  999,  1000,     1001,
                                  12345, kMax, kMin, kMax - 1, kMin + 1};
  for (int64_t p = 10; p < kMax / 10; p *= 10) {
    for (int64_t v : {p - 1, p, p + 1}) amounts.push_back(v);
  }
  const size_t n = amounts.size();
  for (size_t i = 0; i < n; ++i) {
    if (amounts[i] != kMin) amounts.push_back(-amounts[i]);
  }
  // 0, 2, 3 and 4 decimals, an unknown code (2), an empty one.
  for (const char* code : {"JPY", "USD", "KWD", "CLF", "XYZ", ""}) {
    for (int64_t v : amounts) {
      EXPECT_EQ(FormatMoney(v, code), ReferenceFormatMoney(v, code))
          << code << " " << v;
    }
  }
}

}  // namespace
}  // namespace depositd::common
