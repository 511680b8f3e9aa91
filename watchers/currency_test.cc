#include "watchers/currency.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace depositd::watchers {
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
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CurrencyMinorDigits(c.code), c.digits) << c.code;
    EXPECT_EQ(IsKnownCurrency(c.code), c.digits.has_value()) << c.code;
  }
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

}  // namespace
}  // namespace depositd::watchers
