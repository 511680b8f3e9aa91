// Forwarding header: the lead removes it after the s8 merge. The ISO 4217
// table and FormatMoney live in common/currency.h now; include that.
#ifndef DEPOSITD_WATCHERS_CURRENCY_H_
#define DEPOSITD_WATCHERS_CURRENCY_H_

#include "common/currency.h"

namespace depositd::watchers {

using ::depositd::common::CurrencyMinorDigits;
using ::depositd::common::FormatMoney;
using ::depositd::common::IsKnownCurrency;

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_CURRENCY_H_
