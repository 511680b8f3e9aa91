#include "tools/format.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/currency.h"
#include "common/timestamps.h"
#include "google/protobuf/text_format.h"

namespace depositd::tools {
namespace {

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

template <typename Enum>
std::string EnumName(Enum value, const std::string& (*name_fn)(Enum),
                     bool (*valid_fn)(int)) {
  if (!valid_fn(static_cast<int>(value))) {
    return absl::StrCat(static_cast<int>(value));
  }
  return name_fn(value);
}

template <typename Enum>
absl::StatusOr<Enum> ParseEnum(absl::string_view text, const char* what,
                               bool (*parse_fn)(const std::string&, Enum*),
                               const google::protobuf::EnumDescriptor* desc) {
  Enum value;
  if (parse_fn(absl::AsciiStrToUpper(text), &value) && value != Enum{}) {
    return value;
  }
  std::vector<std::string> names;
  for (int i = 0; i < desc->value_count(); ++i) {
    if (desc->value(i)->number() != 0) names.push_back(desc->value(i)->name());
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown ", what, " \"", text,
                                                 "\"; expected one of ",
                                                 absl::StrJoin(names, ", ")));
}

}  // namespace

int CurrencyExponent(absl::string_view currency) {
  return common::CurrencyMinorDigits(currency).value_or(2);
}

std::string FormatMoney(const v1::Money& money) {
  return common::FormatMoney(
      money.minor_units(), money.currency().empty() ? "???" : money.currency());
}

std::string FormatMoneyList(
    const google::protobuf::RepeatedPtrField<v1::Money>& amounts) {
  if (amounts.empty()) return "-";
  std::vector<std::string> parts;
  for (const v1::Money& m : amounts) parts.push_back(FormatMoney(m));
  return absl::StrJoin(parts, ", ");
}

bool IsSet(const google::protobuf::Timestamp& ts) {
  return ts.seconds() != 0 || ts.nanos() != 0;
}

std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  if (!IsSet(ts)) return "-";
  return common::FormatRfc3339(common::FromTimestamp(ts));
}

absl::StatusOr<google::protobuf::Timestamp> ParseTimestampArg(
    absl::string_view text) {
  const absl::string_view input = absl::StripAsciiWhitespace(text);
  absl::StatusOr<absl::Time> t = common::ParseRfc3339(input);
  if (!t.ok()) {
    // A date alone is midnight UTC.
    absl::Time date;
    std::string date_err;
    if (!absl::ParseTime("%Y-%m-%d", std::string(input), absl::UTCTimeZone(),
                         &date, &date_err)) {
      return t.status();
    }
    t = date;
  }
  return common::ToTimestamp(*t);
}

absl::StatusOr<google::protobuf::Duration> ParseDurationArg(
    absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad duration \"", text, "\": ", why,
                     " (expected e.g. 30d, 36h, 1d12h, 90m, 45s)"));
  };
  absl::string_view rest = absl::StripAsciiWhitespace(text);
  if (rest.empty()) return bad("empty");
  int64_t total_seconds = 0;
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() && absl::ascii_isdigit(rest[digits])) {
      ++digits;
    }
    if (digits == 0) return bad("a number must come before each unit");
    if (digits == rest.size()) return bad("missing unit");
    int64_t number = 0;
    if (!absl::SimpleAtoi(rest.substr(0, digits), &number)) {
      return bad("number too large");
    }
    int64_t unit_seconds = 0;
    switch (rest[digits]) {
      case 'd':
        unit_seconds = 86400;
        break;
      case 'h':
        unit_seconds = 3600;
        break;
      case 'm':
        unit_seconds = 60;
        break;
      case 's':
        unit_seconds = 1;
        break;
      default:
        return bad(absl::StrCat("unknown unit '", rest.substr(digits, 1), "'"));
    }
    if (number >
        (std::numeric_limits<int64_t>::max() - total_seconds) / unit_seconds) {
      return bad("too large");
    }
    total_seconds += number * unit_seconds;
    rest.remove_prefix(digits + 1);
  }
  if (total_seconds <= 0) return bad("must be positive");
  google::protobuf::Duration d;
  d.set_seconds(total_seconds);
  return d;
}

std::string VerdictName(v1::Verdict v) {
  return EnumName<v1::Verdict>(v, &v1::Verdict_Name<v1::Verdict>,
                               &v1::Verdict_IsValid);
}
std::string ConditionName(v1::Condition c) {
  return EnumName<v1::Condition>(c, &v1::Condition_Name<v1::Condition>,
                                 &v1::Condition_IsValid);
}
std::string LifecycleName(v1::ShopLifecycle l) {
  return EnumName<v1::ShopLifecycle>(l,
                                     &v1::ShopLifecycle_Name<v1::ShopLifecycle>,
                                     &v1::ShopLifecycle_IsValid);
}
std::string AlertKindName(v1::AlertKind k) {
  return EnumName<v1::AlertKind>(k, &v1::AlertKind_Name<v1::AlertKind>,
                                 &v1::AlertKind_IsValid);
}
std::string SeverityName(v1::Severity s) {
  return EnumName<v1::Severity>(s, &v1::Severity_Name<v1::Severity>,
                                &v1::Severity_IsValid);
}
std::string AlertStateName(v1::AlertState s) {
  return EnumName<v1::AlertState>(s, &v1::AlertState_Name<v1::AlertState>,
                                  &v1::AlertState_IsValid);
}

absl::StatusOr<v1::Verdict> ParseVerdict(absl::string_view name) {
  return ParseEnum<v1::Verdict>(name, "verdict", &v1::Verdict_Parse,
                                v1::Verdict_descriptor());
}

absl::StatusOr<v1::AlertKind> ParseAlertKind(absl::string_view name) {
  return ParseEnum<v1::AlertKind>(name, "alert kind", &v1::AlertKind_Parse,
                                  v1::AlertKind_descriptor());
}

absl::StatusOr<v1::Severity> ParseSeverity(absl::string_view name) {
  return ParseEnum<v1::Severity>(name, "severity", &v1::Severity_Parse,
                                 v1::Severity_descriptor());
}

TextTable::TextTable(std::vector<std::string> header) {
  rows_.push_back(std::move(header));
}

void TextTable::AddRow(std::vector<std::string> cells) {
  rows_.push_back(std::move(cells));
}

std::string TextTable::Render() const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    if (row.size() > widths.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      if (i + 1 == widths.size()) {
        absl::StrAppend(&line, cell);
      } else {
        absl::StrAppend(&line, cell,
                        std::string(widths[i] - cell.size() + 2, ' '));
      }
    }
    // No trailing blanks when the last cells are empty.
    line.erase(line.find_last_not_of(' ') + 1);
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string FormatReadinessReport(const v1::ReadinessReport& r) {
  std::string out;
  absl::StrAppend(&out, "shop        ", r.tenant(), "/", r.shop_id(), "\n");
  absl::StrAppend(&out, "profile     ", OrDash(r.profile()), "\n");
  absl::StrAppend(&out, "as of       ", FormatTimestamp(r.as_of()), "\n");
  absl::StrAppend(&out, "lifecycle   ", LifecycleName(r.lifecycle()), "\n");
  absl::StrAppend(&out, "verdict     ", VerdictName(r.verdict()), "\n");
  absl::StrAppend(&out, "ready at    ", FormatTimestamp(r.ready_at()), "\n");
  absl::StrAppend(&out, "balance     ", FormatMoneyList(r.balance()), "\n");
  absl::StrAppend(&out, "refundable  ", FormatMoneyList(r.refundable()), "\n");
  absl::StrAppend(
      &out, "by appeal   ", FormatMoneyList(r.recoverable_by_appeal()),
      r.recoverable_by_appeal().empty() ? "" : " (recoverable)", "\n");
  absl::StrAppend(&out, "last sale   ", FormatTimestamp(r.last_sale_at()),
                  "\n");
  absl::StrAppend(&out, "events      ", r.events_applied(), "\n");

  absl::StrAppend(&out, "\nblockers (", r.blockers_size(), ")\n");
  if (r.blockers().empty()) absl::StrAppend(&out, "  none\n");
  for (const v1::Blocker& b : r.blockers()) {
    absl::StrAppend(&out, "  ", ConditionName(b.condition()), ": ",
                    OrDash(b.summary()), "\n");
    absl::StrAppend(&out, "      count      ", b.count(), "\n");
    if (!b.ids().empty()) {
      absl::StrAppend(&out, "      ids        ", absl::StrJoin(b.ids(), ", "),
                      b.ids_truncated() ? ", …" : "", "\n");
    }
    if (!b.amounts().empty()) {
      absl::StrAppend(&out, "      amounts    ", FormatMoneyList(b.amounts()),
                      "\n");
    }
    if (IsSet(b.clears_at())) {
      absl::StrAppend(&out, "      clears at  ", FormatTimestamp(b.clears_at()),
                      "\n");
    }
    if (!b.action().empty()) {
      absl::StrAppend(&out, "      action     ", b.action(), "\n");
    }
  }

  if (r.has_projection()) {
    const v1::RefundProjection& p = r.projection();
    absl::StrAppend(&out, p.conditional()
                              ? "\nrefund projection (conditional: "
                                "assumes the blockers above clear now)\n"
                              : "\nrefund projection\n");
    absl::StrAppend(&out, "  ready at          ", FormatTimestamp(p.ready_at()),
                    "\n");
    absl::StrAppend(&out, "  review done at    ",
                    FormatTimestamp(p.review_done_at()), "\n");
    absl::StrAppend(&out, "  batch at          ", FormatTimestamp(p.batch_at()),
                    "\n");
    absl::StrAppend(&out, "  expected paid at  ",
                    FormatTimestamp(p.expected_paid_at()), "\n");
    if (!p.steps().empty()) {
      absl::StrAppend(&out, "  steps\n");
      int n = 0;
      for (const std::string& step : p.steps()) {
        absl::StrAppend(&out, "    ", ++n, ". ", step, "\n");
      }
    }
  }
  return out;
}

std::string FormatExplain(const v1::ExplainResponse& response) {
  std::string out = FormatReadinessReport(response.report());
  absl::StrAppend(&out, "\nevidence\n");
  if (response.explanations().empty()) absl::StrAppend(&out, "  none\n");
  for (const v1::BlockerExplanation& e : response.explanations()) {
    absl::StrAppend(&out, "  ", ConditionName(e.blocker().condition()), ": ",
                    OrDash(e.blocker().summary()), "\n");
    if (e.events().empty()) absl::StrAppend(&out, "      (no events)\n");
    for (const v1::EvidenceEvent& ev : e.events()) {
      absl::StrAppend(&out, "      ", FormatTimestamp(ev.occurred_at()), "  ",
                      OrDash(ev.type()), "  ", OrDash(ev.subject()), "  ",
                      OrDash(ev.detail()), "  [", OrDash(ev.event_id()), "]\n");
    }
  }
  return out;
}

std::string FormatShopTable(const std::vector<v1::ShopSummary>& shops) {
  TextTable table({"TENANT", "SHOP", "PROFILE", "LIFECYCLE", "VERDICT",
                   "READY_AT", "BLOCKING", "RISKS"});
  for (const v1::ShopSummary& s : shops) {
    std::vector<std::string> blocking;
    for (int c : s.blocking()) {
      blocking.push_back(ConditionName(static_cast<v1::Condition>(c)));
    }
    std::vector<std::string> risks;
    for (int k : s.risks()) {
      risks.push_back(AlertKindName(static_cast<v1::AlertKind>(k)));
    }
    table.AddRow({s.tenant(), s.shop_id(), OrDash(s.profile()),
                  LifecycleName(s.lifecycle()), VerdictName(s.verdict()),
                  FormatTimestamp(s.ready_at()),
                  blocking.empty() ? "-" : absl::StrJoin(blocking, ","),
                  risks.empty() ? "-" : absl::StrJoin(risks, ",")});
  }
  return table.Render();
}

std::string FormatAlertLine(const v1::Alert& a) {
  std::string out =
      absl::StrCat("#", a.sequence(), " ", FormatTimestamp(a.at()), " ",
                   AlertStateName(a.state()), " ", SeverityName(a.severity()),
                   " ", AlertKindName(a.key().kind()), " ", a.key().tenant(),
                   "/", a.key().shop_id());
  if (!a.key().subject().empty()) {
    absl::StrAppend(&out, " [", a.key().subject(), "]");
  }
  if (!a.stage().empty()) absl::StrAppend(&out, " (", a.stage(), ")");
  if (a.repeat()) absl::StrAppend(&out, " repeat");
  if (a.change() == v1::ACKNOWLEDGED) absl::StrAppend(&out, " ack");
  // Not a page: the same alert with new content (evidence, amounts).
  if (a.change() == v1::UPDATED) absl::StrAppend(&out, " updated");
  if (a.acknowledged()) {
    absl::StrAppend(&out, " acknowledged-by=", a.acknowledged_by());
  }
  if (!a.silenced_by().empty()) {
    absl::StrAppend(&out, " silenced-by=", a.silenced_by());
  }
  if (!a.summary().empty()) absl::StrAppend(&out, ": ", a.summary());
  if (IsSet(a.due_at())) {
    absl::StrAppend(&out, "; due ", FormatTimestamp(a.due_at()));
  }
  if (a.has_amount_at_risk() && !a.amount_at_risk().currency().empty()) {
    absl::StrAppend(&out, "; at risk ", FormatMoney(a.amount_at_risk()));
  }
  return out;
}

std::string FormatConfig(const v1::GetConfigResponse& config) {
  std::map<std::string, std::string> zones;
  for (const v1::Calendar& c : config.calendars()) {
    zones[c.name()] = c.time_zone();
  }
  TextTable table({"PROFILE", "CALENDAR", "TIME ZONE"});
  for (const v1::PlatformProfile& p : config.profiles()) {
    table.AddRow({p.name(), OrDash(p.calendar()), OrDash(zones[p.calendar()])});
  }
  std::string out = table.Render();
  google::protobuf::TextFormat::Printer printer;
  printer.SetInitialIndentLevel(1);
  for (const v1::PlatformProfile& p : config.profiles()) {
    v1::PlatformProfile settings = p;
    settings.clear_name();
    std::string text;
    printer.PrintToString(settings, &text);
    absl::StrAppend(&out, "\nprofiles {\n  name: \"", p.name(), "\"\n", text,
                    "}\n");
  }
  printer.SetInitialIndentLevel(1);
  for (const v1::Calendar& c : config.calendars()) {
    std::string text;
    printer.PrintToString(c, &text);
    absl::StrAppend(&out, "\ncalendars {\n", text, "}\n");
  }
  return out;
}

std::string FormatStats(const v1::StatsResponse& s) {
  TextTable table({"STAT", "VALUE"});
  table.AddRow({"shops", absl::StrCat(s.shops())});
  table.AddRow({"events_applied", absl::StrCat(s.events_applied())});
  table.AddRow({"events_duplicate", absl::StrCat(s.events_duplicate())});
  table.AddRow({"events_rejected", absl::StrCat(s.events_rejected())});
  table.AddRow({"log_position", absl::StrCat(s.log_position())});
  table.AddRow({"checkpoint_position", absl::StrCat(s.checkpoint_position())});
  table.AddRow({"alert_sequence", absl::StrCat(s.alert_sequence())});
  table.AddRow({"pending_deadlines", absl::StrCat(s.pending_deadlines())});
  table.AddRow({"shards", absl::StrCat(s.shards())});
  table.AddRow({"store_live_bytes", absl::StrCat(s.store_live_bytes())});
  table.AddRow(
      {"store_estimated_keys", absl::StrCat(s.store_estimated_keys())});
  table.AddRow({"dedupe_ids", absl::StrCat(s.dedupe_ids())});
  table.AddRow({"packed_shops", absl::StrCat(s.packed_shops())});
  std::string out = table.Render();
  if (s.sinks_size() == 0) return out;
  // One row per sink: a FAILING sink refuses alerts (see REFUSED_BY_REASON
  // and the daemon's log); THROTTLED answers were retried.
  TextTable sinks({"SINK", "TYPE", "DELIVERED", "REFUSED", "THROTTLED",
                   "DIGESTS", "STATE", "REFUSED_BY_REASON", "LAST_ERROR"});
  for (const v1::SinkDeliveryStats& k : s.sinks()) {
    std::map<std::string, int64_t> reasons(k.refused_by_reason().begin(),
                                           k.refused_by_reason().end());
    std::vector<std::string> parts;
    for (const auto& [reason, n] : reasons) {
      parts.push_back(absl::StrCat(reason, " x", n));
    }
    sinks.AddRow({k.name(), v1::SinkType_Name(k.type()),
                  absl::StrCat(k.delivered()), absl::StrCat(k.refused()),
                  absl::StrCat(k.throttled()), absl::StrCat(k.digests()),
                  k.failing() ? "FAILING" : "ok", absl::StrJoin(parts, "; "),
                  k.last_error()});
  }
  return absl::StrCat(out, "\n", sinks.Render());
}

}  // namespace depositd::tools
