// Human-readable rendering of depositd's API messages for depositctl, and
// the parsing of the command line's time arguments. Pure functions: no I/O.
//
// Money is shown as "<currency> <amount>" with the currency's minor-unit
// exponent (ISO 4217): "USD 35.00", "JPY 3500", "KWD 1.250". Timestamps are
// RFC 3339 in UTC; an unset timestamp (the epoch) prints as "-".
#ifndef DEPOSITD_TOOLS_FORMAT_H_
#define DEPOSITD_TOOLS_FORMAT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/v1/alerts.pb.h"
#include "depositd/v1/common.pb.h"
#include "depositd/v1/readiness.pb.h"
#include "depositd/v1/service.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/repeated_field.h"
#include "google/protobuf/timestamp.pb.h"

namespace depositd::tools {

// Number of decimal places of a currency's minor unit: 0 for JPY, KRW and
// other zero-decimal currencies, 3 for BHD, KWD, OMR, JOD, TND, IQD, LYD,
// 2 otherwise (including unknown codes).
int CurrencyExponent(absl::string_view currency);

// "USD 35.00", "USD -35.00", "JPY 3500". Exact for every int64 value.
std::string FormatMoney(const v1::Money& money);

// Amounts joined by ", "; "-" when empty.
std::string FormatMoneyList(
    const google::protobuf::RepeatedPtrField<v1::Money>& amounts);

// RFC 3339 UTC ("2026-04-01T00:00:00Z", fractional seconds only when
// non-zero); "-" for an unset timestamp.
std::string FormatTimestamp(const google::protobuf::Timestamp& ts);
bool IsSet(const google::protobuf::Timestamp& ts);

// Parses an RFC 3339 time, e.g. "2026-03-10T00:00:00Z" or
// "2026-03-10T08:00:00+08:00". A bare date "2026-03-10" means midnight UTC.
// INVALID_ARGUMENT naming the expected format on failure.
absl::StatusOr<google::protobuf::Timestamp> ParseTimestampArg(
    absl::string_view text);

// Parses a positive duration written as number+unit groups, units d (24 h),
// h, m, s: "30d", "36h", "1d12h", "90m", "45s". INVALID_ARGUMENT otherwise.
absl::StatusOr<google::protobuf::Duration> ParseDurationArg(
    absl::string_view text);

// Enum names ("NOT_READY", "R3_OPEN_DISPUTES", "ACCOUNT_MISMATCH"), or the
// number when the value is unknown to this build.
std::string VerdictName(v1::Verdict v);
std::string ConditionName(v1::Condition c);
std::string LifecycleName(v1::ShopLifecycle l);
std::string AlertKindName(v1::AlertKind k);
std::string SeverityName(v1::Severity s);
std::string AlertStateName(v1::AlertState s);

// Case-insensitive parses of enum names for command-line filters.
// INVALID_ARGUMENT listing the accepted names on failure.
absl::StatusOr<v1::Verdict> ParseVerdict(absl::string_view name);
absl::StatusOr<v1::AlertKind> ParseAlertKind(absl::string_view name);
absl::StatusOr<v1::Severity> ParseSeverity(absl::string_view name);

// A plain-text table with left-aligned columns separated by two spaces.
// Not thread-safe.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);
  void AddRow(std::vector<std::string> cells);
  // Every row ends with '\n'. Missing cells print empty.
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// The readiness report as a multi-line text block: header (shop, profile,
// as of, lifecycle, verdict, ready_at), one section per blocker (condition,
// summary, count, ids, amounts, clears_at, action), balance, refundable, the
// projection with its steps, last sale and event count.
std::string FormatReadinessReport(const v1::ReadinessReport& report);

// The report, then per blocker the evidence events (time, type, subject,
// detail, event id).
std::string FormatExplain(const v1::ExplainResponse& response);

// ListShops results as a table: tenant, shop, profile, lifecycle, verdict,
// ready_at, blocking conditions, risks.
std::string FormatShopTable(const std::vector<v1::ShopSummary>& shops);

// One line per alert transition:
// "#12 2026-03-02T00:00:00Z FIRING CRITICAL ACCOUNT_MISMATCH acme/s1 [sub]
//  (stage) summary".
std::string FormatAlertLine(const v1::Alert& alert);

// Admin statistics, one "name: value" per line; then, when the daemon has
// sinks, one row per sink (delivered, refused, throttled, digests, FAILING
// while SINK_FAILING fires about it, refusals by reason, last error).
std::string FormatStats(const v1::StatsResponse& stats);

// The effective configuration (Admin.GetConfig): a table of the profiles
// with their calendar and its time zone, then each profile's settings in
// the configuration's own text format (so a line can be copied into a
// `profiles { ... }` override), then the calendars.
std::string FormatConfig(const v1::GetConfigResponse& config);

}  // namespace depositd::tools

#endif  // DEPOSITD_TOOLS_FORMAT_H_
