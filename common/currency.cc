#include "common/currency.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>

namespace depositd::common {
namespace {

struct CurrencyInfo {
  absl::string_view code;
  int minor_digits;
};

// Active ISO 4217 codes, sorted by code (binary-searched).
constexpr CurrencyInfo kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2},
    {"ARS", 2}, {"AUD", 2}, {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2},
    {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
    {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
    {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLF", 4}, {"CLP", 0},
    {"CNY", 2}, {"COP", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2},
    {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2},
    {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2},
    {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2},
    {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2},
    {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3},
    {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2},
    {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2},
    {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2},
    {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2},
    {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2},
    {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2},
    {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2},
    {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2},
    {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2},
    {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SLL", 2}, {"SOS", 2}, {"SRD", 2},
    {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2},
    {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2},
    {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYI", 0},
    {"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0},
    {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2},
    {"ZAR", 2}, {"ZMW", 2}, {"ZWL", 2},
};

// Every code has three letters: as a big-endian integer it sorts like the
// text, so the lookup (validation of every amount, every money text)
// compares integers, not strings.
constexpr uint32_t Pack(absl::string_view code) {
  return static_cast<uint32_t>(static_cast<uint8_t>(code[0])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(code[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(code[2]));
}

struct PackedCurrency {
  uint32_t code;
  int minor_digits;
};

constexpr auto kPacked = [] {
  std::array<PackedCurrency, std::size(kCurrencies)> out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = {Pack(kCurrencies[i].code), kCurrencies[i].minor_digits};
  }
  return out;
}();

constexpr bool StrictlyAscending() {
  for (size_t i = 1; i < kPacked.size(); ++i) {
    if (kPacked[i - 1].code >= kPacked[i].code) return false;
  }
  return true;
}
static_assert(StrictlyAscending(),
              "kCurrencies must be sorted by code, without repeats");

}  // namespace

std::optional<int> CurrencyMinorDigits(absl::string_view code) {
  if (code.size() != 3) return std::nullopt;
  const uint32_t key = Pack(code);
  const auto* it = std::lower_bound(
      kPacked.begin(), kPacked.end(), key,
      [](const PackedCurrency& c, uint32_t k) { return c.code < k; });
  if (it == kPacked.end() || it->code != key) return std::nullopt;
  return it->minor_digits;
}

std::string FormatMoney(int64_t minor_units, absl::string_view currency) {
  const int digits = CurrencyMinorDigits(currency).value_or(2);
  const bool negative = minor_units < 0;
  // Magnitude as unsigned so that INT64_MIN is exact.
  uint64_t magnitude = negative ? ~static_cast<uint64_t>(minor_units) + 1
                                : static_cast<uint64_t>(minor_units);
  // Digits from the right: the minor unit (zero-padded), then the whole
  // units. Alert texts format money often, so no format strings here.
  char buf[32];
  char* p = buf + sizeof(buf);
  for (int i = 0; i < digits; ++i) {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  }
  if (digits > 0) *--p = '.';
  do {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (negative) *--p = '-';
  const size_t n = static_cast<size_t>(buf + sizeof(buf) - p);
  std::string out;
  out.reserve(currency.size() + 1 + n);
  out.append(currency.data(), currency.size());
  out.push_back(' ');
  out.append(p, n);
  return out;
}

}  // namespace depositd::common
