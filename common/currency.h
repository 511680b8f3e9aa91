// ISO 4217 currencies: which codes exist, how many decimals their minor unit
// has, and amounts in minor units as text for people. One table for every
// layer (event validation, alert texts, depositctl), so all agree.
//
// Pure functions over a compile-time table; thread-safe.
//
//   CurrencyMinorDigits("JPY")  -> 0
//   FormatMoney(1250, "KWD")    -> "KWD 1.250"
#ifndef DEPOSITD_COMMON_CURRENCY_H_
#define DEPOSITD_COMMON_CURRENCY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace depositd::common {

// Decimal places of the minor unit of an active ISO 4217 currency ("USD" → 2,
// "JPY" → 0, "KWD" → 3); nullopt for a code that is not one (codes are
// upper case: "usd" is not one).
std::optional<int> CurrencyMinorDigits(absl::string_view code);

// True for an active ISO 4217 code.
inline bool IsKnownCurrency(absl::string_view code) {
  return CurrencyMinorDigits(code).has_value();
}

// "USD 35.00", "USD -35.00", "JPY 3500", "KWD 1.250". Exact for every int64
// (no floating point). Unknown codes are shown with 2 decimals.
// The digits are written by hand, not with StrFormat: a risk check formats
// money several times per finding (44eb7b9, measured with
// BM_BusyShop_ApplyOrderAndCheckRisks in bench/domain_bench.cc);
// currency_test checks it against the StrCat/StrFormat definition.
std::string FormatMoney(int64_t minor_units, absl::string_view currency);

}  // namespace depositd::common

#endif  // DEPOSITD_COMMON_CURRENCY_H_
