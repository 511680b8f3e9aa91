// ISO 4217 currencies: which codes exist and how many decimals their minor
// unit has, and money formatting for people. Shared by the domain core
// (validation, alert text) and depositctl (tables), so both agree.
#ifndef DEPOSITD_WATCHERS_CURRENCY_H_
#define DEPOSITD_WATCHERS_CURRENCY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace depositd::watchers {

// Decimal places of the minor unit of an active ISO 4217 currency ("USD" → 2,
// "JPY" → 0, "KWD" → 3); nullopt for a code that is not one.
std::optional<int> CurrencyMinorDigits(absl::string_view code);

// True for an active ISO 4217 code.
inline bool IsKnownCurrency(absl::string_view code) {
  return CurrencyMinorDigits(code).has_value();
}

// "USD 35.00", "USD -35.00", "JPY 3500", "KWD 1.250". Exact for every int64
// (no floating point). Unknown codes are shown with 2 decimals.
std::string FormatMoney(int64_t minor_units, absl::string_view currency);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_CURRENCY_H_
