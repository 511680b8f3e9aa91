#include "watchers/profiles.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/text_format.h"
#include "watchers/limits.h"

namespace depositd::watchers {
namespace {

namespace pb = google::protobuf;

// --- built-in profiles (domain.md §6) ----------------------------------------
//
// Every built-in starts from kCommonDefaults, which sets every optional field
// so that a resolved profile has no unset settings. Choices where the seeds
// say nothing ("—" in domain.md §6) leave the rule off (0 / unset).
//
// The generic profile (seed 000): 14 natural days of review (the upper end of
// "3 days – 2 weeks"), a 7-day appeal window (the shorter of "7 or 15"), the
// inactivity rule 90 days -> 50%, UTC calendar.
constexpr char kCommonDefaults[] = R"pb(
  calendar: "UTC"
  closure_waiting_days: 0
  review { days: 0 counting: NATURAL_DAYS }
  manual_review_extra_working_days: 0
  post_closure_dispute_grace_days: 0
  return_window_days: 7
  not_received_response_hours: 0
  appeal_window_days: 0
  inactivity {
    limit_days: 0
    deduction_percent: 0
    lead_days: [ 30, 14, 7, 1 ]
  }
  health {}
  reopen_cooling_off_days: 0
  refund_batch_day_of_month: 0
  payout_transit { days: 3 counting: WORKING_DAYS }
  refund_overdue_grace_days: 7
  dispute_lead_hours: [ 24, 6 ]
  appeal_lead_days: [ 3, 1 ]
  unpaid_fee_age_days: 7
  closure_blocked_repeat_hours: 24
  review_starts_at_refund_request: false
  grace_lead_days: [ 7, 1 ]
)pb";

struct BuiltIn {
  const char* name;
  const char* text;
};

constexpr BuiltIn kBuiltIns[] = {
    {"generic", R"pb(
       calendar: "UTC"
       review { days: 14 counting: NATURAL_DAYS }
       appeal_window_days: 7
       inactivity { limit_days: 90 deduction_percent: 50 }
     )pb"},
    // Seed 002: 30 natural days waiting, 15 working days review (+3 with a
    // complaint history), everything done before closure, 72 h to answer a
    // not-received claim, health thresholds, 90 days cooling-off, site
    // minimums (US USD 500; SEA and Middle East CNY 30,000; the UK minimum is
    // not given as a number by the seeds, so it is left to configuration).
    {"tiktok_shop_cross_border", R"pb(
       calendar: "CN"
       closure_waiting_days: 30
       review { days: 15 counting: WORKING_DAYS }
       manual_review_extra_working_days: 3
       post_closure_dispute_grace_days: 0
       return_window_days: 7
       not_received_response_hours: 72
       appeal_window_days: 7
       health {
         min_fulfilment_rate_pct: 98.5
         max_return_rate_pct: 8.2
         min_dsr: 4.7
       }
       reopen_cooling_off_days: 90
       site_minimums {
         site: "US"
         minimum { minor_units: 50000 currency: "USD" }
       }
       site_minimums {
         site: "SEA"
         minimum { minor_units: 3000000 currency: "CNY" }
       }
       site_minimums {
         site: "ME"
         minimum { minor_units: 3000000 currency: "CNY" }
       }
     )pb"},
    // Seeds 002, 003: 2-3 working days review (3 taken) counted from the
    // refund request, 6 calendar months cooling-off; the appeal window is
    // set by each notice.
    {"douyin", R"pb(
       calendar: "CN"
       review { days: 3 counting: WORKING_DAYS }
       review_starts_at_refund_request: true
       reopen_cooling_off_months: 6
     )pb"},
    // Seed 002: 21 working days review, disputes may finish 30 days after
    // closure.
    {"shopee", R"pb(
       calendar: "SEA"
       review { days: 21 counting: WORKING_DAYS }
       post_closure_dispute_grace_days: 30
     )pb"},
    // Seed 002: 30 natural days review, 60 days post-closure grace.
    {"temu", R"pb(
       calendar: "CN"
       review { days: 30 counting: NATURAL_DAYS }
       post_closure_dispute_grace_days: 60
     )pb"},
};

struct BuiltInCalendar {
  const char* name;
  const char* zone;
};
constexpr BuiltInCalendar kBuiltInCalendars[] = {
    {"CN", "Asia/Shanghai"}, {"US", "America/New_York"},
    {"UK", "Europe/London"}, {"SEA", "Asia/Singapore"},
    {"UTC", "UTC"},
};

// Collects parser errors as "file:line:col: message" (1-based line/col).
class CollectingErrors : public pb::io::ErrorCollector {
 public:
  explicit CollectingErrors(std::string filename)
      : filename_(std::move(filename)) {}
  void AddError(int line, pb::io::ColumnNumber column,
                const std::string& message) override {
    errors_.push_back(
        absl::StrCat(filename_, ":", line + 1, ":", column + 1, ": ", message));
  }
  void AddWarning(int line, pb::io::ColumnNumber column,
                  const std::string& message) override {
    AddError(line, column, message);
  }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string filename_;
  std::vector<std::string> errors_;
};

// The value quoted after `key ` in a semantic error message, e.g. the X in
// `profile "X"`; empty if absent.
std::string QuotedAfter(absl::string_view message, absl::string_view key) {
  const std::string needle = absl::StrCat(key, " \"");
  const size_t start = message.find(needle);
  if (start == absl::string_view::npos) return "";
  const size_t from = start + needle.size();
  const size_t end = message.find('"', from);
  if (end == absl::string_view::npos) return "";
  return std::string(message.substr(from, end - from));
}

// Where `path` ("inactivity.lead_days") was written inside the message that
// `tree` describes; nullopt if it was not written there.
std::optional<pb::TextFormat::ParseLocation> FieldLocation(
    const pb::Descriptor* desc, const pb::TextFormat::ParseInfoTree* tree,
    absl::string_view path) {
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; tree != nullptr && desc != nullptr && i < parts.size();
       ++i) {
    const pb::FieldDescriptor* fd = desc->FindFieldByName(parts[i]);
    if (fd == nullptr) return std::nullopt;
    const int index = fd->is_repeated() ? 0 : -1;
    if (i + 1 == parts.size()) {
      pb::TextFormat::ParseLocation at = tree->GetLocation(fd, index);
      if (at.line < 0) return std::nullopt;
      return at;
    }
    tree = tree->GetTreeForNested(fd, index);
    desc = fd->message_type();
  }
  return std::nullopt;
}

// Index of the element of `items` whose key (by `key_of`) equals `key`; -1
// if none.
template <typename Repeated, typename Getter>
int IndexOf(const Repeated& items, Getter key_of, const std::string& key) {
  for (int i = 0; i < items.size(); ++i) {
    if (key_of(items.Get(i)) == key) return i;
  }
  return -1;
}

// Maps a semantic error from Create (which names the profile, tenant, shop
// or calendar and the field) back to where the text wrote the offending
// value: a shop override, then the tenant's, then the configured profile.
std::optional<pb::TextFormat::ParseLocation> LocateConfigError(
    const v1::DaemonConfig& config, const pb::TextFormat::ParseInfoTree& tree,
    absl::string_view message) {
  const pb::Descriptor* root = v1::DaemonConfig::descriptor();
  const pb::Descriptor* profile_desc = v1::PlatformProfile::descriptor();
  const std::string field = QuotedAfter(message, ": field");
  const std::string profile = QuotedAfter(message, "profile");
  const std::string tenant = QuotedAfter(message, "tenant");
  const std::string shop = QuotedAfter(message, "shop");
  const std::string calendar = QuotedAfter(message, "calendar");
  auto nested = [&](const pb::TextFormat::ParseInfoTree* t,
                    const pb::Descriptor* d, const char* name, int index) {
    return t == nullptr ? nullptr
                        : t->GetTreeForNested(d->FindFieldByName(name), index);
  };
  std::vector<const pb::TextFormat::ParseInfoTree*> candidates;
  if (!tenant.empty()) {
    const int t = IndexOf(
        config.tenants(), [](const v1::TenantConfig& c) { return c.tenant(); },
        tenant);
    if (t >= 0) {
      const auto* tenant_tree = nested(&tree, root, "tenants", t);
      if (!shop.empty()) {
        const int s = IndexOf(
            config.tenants(t).shops(),
            [](const v1::ShopOverride& o) { return o.shop_id(); }, shop);
        if (s >= 0) {
          const auto* shop_tree =
              nested(tenant_tree, v1::TenantConfig::descriptor(), "shops", s);
          candidates.push_back(
              nested(shop_tree, v1::ShopOverride::descriptor(), "profile", -1));
        }
      }
      candidates.push_back(
          nested(tenant_tree, v1::TenantConfig::descriptor(), "profile", -1));
      if (field == "language") {
        return FieldLocation(v1::TenantConfig::descriptor(), tenant_tree,
                             field);
      }
    }
  }
  if (!profile.empty()) {
    const int p = IndexOf(
        config.profiles(),
        [](const v1::PlatformProfile& c) { return c.name(); }, profile);
    if (p >= 0) candidates.push_back(nested(&tree, root, "profiles", p));
  }
  for (const auto* candidate : candidates) {
    if (auto at = FieldLocation(profile_desc, candidate, field)) return at;
  }
  if (!calendar.empty()) {
    const int c = IndexOf(
        config.calendars(), [](const v1::Calendar& x) { return x.name(); },
        calendar);
    if (c >= 0) {
      const auto* cal_tree = nested(&tree, root, "calendars", c);
      for (const char* f :
           {"time_zone", "holidays", "working_days", "weekend_days"}) {
        if (absl::StrContains(message, absl::StrCat(": ", f))) {
          if (auto at = FieldLocation(v1::Calendar::descriptor(), cal_tree, f))
            return at;
        }
      }
    }
  }
  return std::nullopt;
}

// Merges `src` into `dst` with the rules of config.proto: a set scalar
// replaces (proto3 implicit-presence scalars count as set when non-default),
// a set message merges field by field, a non-empty repeated field replaces.
void MergeOverride(const pb::Message& src, pb::Message* dst) {
  const pb::Reflection* r = src.GetReflection();
  const pb::Reflection* w = dst->GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(src, &fields);  // only set / non-empty / non-default fields
  for (const pb::FieldDescriptor* f : fields) {
    if (f->is_repeated()) {
      w->ClearField(dst, f);
      const int n = r->FieldSize(src, f);
      for (int i = 0; i < n; ++i) {
        switch (f->cpp_type()) {
          case pb::FieldDescriptor::CPPTYPE_MESSAGE:
            w->AddMessage(dst, f)->CopyFrom(r->GetRepeatedMessage(src, f, i));
            break;
          case pb::FieldDescriptor::CPPTYPE_INT32:
            w->AddInt32(dst, f, r->GetRepeatedInt32(src, f, i));
            break;
          case pb::FieldDescriptor::CPPTYPE_STRING:
            w->AddString(dst, f, r->GetRepeatedString(src, f, i));
            break;
          case pb::FieldDescriptor::CPPTYPE_ENUM:
            w->AddEnumValue(dst, f, r->GetRepeatedEnumValue(src, f, i));
            break;
          default:
            break;  // no other repeated types in PlatformProfile
        }
      }
    } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      MergeOverride(r->GetMessage(src, f), w->MutableMessage(dst, f));
    } else {
      switch (f->cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_INT32:
          w->SetInt32(dst, f, r->GetInt32(src, f));
          break;
        case pb::FieldDescriptor::CPPTYPE_INT64:
          w->SetInt64(dst, f, r->GetInt64(src, f));
          break;
        case pb::FieldDescriptor::CPPTYPE_DOUBLE:
          w->SetDouble(dst, f, r->GetDouble(src, f));
          break;
        case pb::FieldDescriptor::CPPTYPE_BOOL:
          w->SetBool(dst, f, r->GetBool(src, f));
          break;
        case pb::FieldDescriptor::CPPTYPE_STRING:
          w->SetString(dst, f, r->GetString(src, f));
          break;
        case pb::FieldDescriptor::CPPTYPE_ENUM:
          w->SetEnumValue(dst, f, r->GetEnumValue(src, f));
          break;
        default:
          break;
      }
    }
  }
}

// Applies an override profile; its name and base never replace the target's.
void ApplyOverride(const v1::PlatformProfile& over, v1::PlatformProfile* dst) {
  v1::PlatformProfile o = over;
  o.clear_name();
  o.clear_base();
  MergeOverride(o, dst);
}

absl::Status Bad(const std::string& where, const std::string& field,
                 const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": field \"", field, "\" ", why));
}

absl::Status CheckNonNegative(const std::string& where, const char* field,
                              bool has, int value, int max) {
  if (has && value < 0) {
    return Bad(where, field,
               absl::StrCat("must not be negative (got ", value, ")"));
  }
  if (has && value > max) {
    return Bad(where, field,
               absl::StrCat("is ", value, "; the limit is ", max));
  }
  return absl::OkStatus();
}

absl::Status ValidateProfile(const std::string& where,
                             const v1::PlatformProfile& p,
                             const std::set<std::string>& calendars) {
  if (p.has_calendar() && !calendars.count(p.calendar())) {
    return Bad(where, "calendar",
               absl::StrCat("names unknown calendar \"", p.calendar(),
                            "\" (built-ins: CN, US, UK, SEA, UTC)"));
  }
  struct {
    const char* name;
    bool has;
    int value;
  } ints[] = {
      {"closure_waiting_days", p.has_closure_waiting_days(),
       p.closure_waiting_days()},
      {"review.days", p.review().has_days(), p.review().days()},
      {"manual_review_extra_working_days",
       p.has_manual_review_extra_working_days(),
       p.manual_review_extra_working_days()},
      {"post_closure_dispute_grace_days",
       p.has_post_closure_dispute_grace_days(),
       p.post_closure_dispute_grace_days()},
      {"return_window_days", p.has_return_window_days(),
       p.return_window_days()},
      {"not_received_response_hours", p.has_not_received_response_hours(),
       p.not_received_response_hours()},
      {"appeal_window_days", p.has_appeal_window_days(),
       p.appeal_window_days()},
      {"inactivity.limit_days", p.inactivity().has_limit_days(),
       p.inactivity().limit_days()},
      {"reopen_cooling_off_days", p.has_reopen_cooling_off_days(),
       p.reopen_cooling_off_days()},
      {"reopen_cooling_off_months", p.has_reopen_cooling_off_months(),
       p.reopen_cooling_off_months()},
      {"payout_transit.days", p.payout_transit().has_days(),
       p.payout_transit().days()},
      {"refund_overdue_grace_days", p.has_refund_overdue_grace_days(),
       p.refund_overdue_grace_days()},
      {"unpaid_fee_age_days", p.has_unpaid_fee_age_days(),
       p.unpaid_fee_age_days()},
      {"closure_blocked_repeat_hours", p.has_closure_blocked_repeat_hours(),
       p.closure_blocked_repeat_hours()},
  };
  for (const auto& i : ints) {
    // Day and hour counts meet time arithmetic (24 * days in int): bound
    // them (watchers/limits.h).
    const bool hours = absl::EndsWith(i.name, "_hours");
    absl::Status s = CheckNonNegative(where, i.name, i.has, i.value,
                                      hours ? kMaxConfigHours : kMaxConfigDays);
    if (!s.ok()) return s;
  }
  if (p.inactivity().has_deduction_percent() &&
      (p.inactivity().deduction_percent() < 0 ||
       p.inactivity().deduction_percent() > 100)) {
    return Bad(where, "inactivity.deduction_percent",
               absl::StrCat("must be within 0..100 (got ",
                            p.inactivity().deduction_percent(), ")"));
  }
  for (int d : p.inactivity().lead_days()) {
    if (d <= 0) return Bad(where, "inactivity.lead_days", "must be positive");
    if (d > kMaxConfigDays) {
      return Bad(where, "inactivity.lead_days",
                 absl::StrCat("has ", d, "; the limit is ", kMaxConfigDays));
    }
  }
  for (int h : p.dispute_lead_hours()) {
    if (h <= 0) return Bad(where, "dispute_lead_hours", "must be positive");
    if (h > kMaxConfigHours) {
      return Bad(where, "dispute_lead_hours",
                 absl::StrCat("has ", h, "; the limit is ", kMaxConfigHours));
    }
  }
  for (int d : p.grace_lead_days()) {
    if (d <= 0) return Bad(where, "grace_lead_days", "must be positive");
    if (d > kMaxConfigDays) {
      return Bad(where, "grace_lead_days",
                 absl::StrCat("has ", d, "; the limit is ", kMaxConfigDays));
    }
  }
  for (int d : p.appeal_lead_days()) {
    if (d <= 0) return Bad(where, "appeal_lead_days", "must be positive");
    if (d > kMaxConfigDays) {
      return Bad(where, "appeal_lead_days",
                 absl::StrCat("has ", d, "; the limit is ", kMaxConfigDays));
    }
  }
  if (p.has_refund_batch_day_of_month() &&
      (p.refund_batch_day_of_month() < 0 ||
       p.refund_batch_day_of_month() > 28)) {
    return Bad(where, "refund_batch_day_of_month",
               absl::StrCat("must be 0 (no batches) or 1..28 (got ",
                            p.refund_batch_day_of_month(), ")"));
  }
  const v1::HealthThresholds& h = p.health();
  if (h.has_min_fulfilment_rate_pct() &&
      (h.min_fulfilment_rate_pct() < 0 || h.min_fulfilment_rate_pct() > 100)) {
    return Bad(where, "health.min_fulfilment_rate_pct",
               "must be within 0..100");
  }
  if (h.has_max_return_rate_pct() &&
      (h.max_return_rate_pct() < 0 || h.max_return_rate_pct() > 100)) {
    return Bad(where, "health.max_return_rate_pct", "must be within 0..100");
  }
  if (h.has_min_dsr() && (h.min_dsr() < 0 || h.min_dsr() > 5)) {
    return Bad(where, "health.min_dsr", "must be within 0..5");
  }
  for (const v1::SiteMinimum& m : p.site_minimums()) {
    if (m.site().empty()) return Bad(where, "site_minimums.site", "is empty");
    for (const v1::Money& money : m.minimum()) {
      if (money.minor_units() < 0) {
        return Bad(where, "site_minimums.minimum.minor_units",
                   "must not be negative");
      }
      if (money.minor_units() > kMaxMinorUnits) {
        return Bad(where, "site_minimums.minimum.minor_units",
                   absl::StrCat("is ", money.minor_units(), "; the limit is ",
                                kMaxMinorUnits, " (10^15 minor units)"));
      }
      if (money.currency().size() != 3) {
        return Bad(where, "site_minimums.minimum.currency",
                   absl::StrCat("\"", money.currency(),
                                "\" is not a 3-letter ISO 4217 code"));
      }
    }
  }
  return absl::OkStatus();
}

bool ValidName(absl::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

struct ProfileRegistry::Impl {
  v1::DaemonConfig config;
  std::map<std::string, std::unique_ptr<BusinessCalendar>> calendars;
  // Profile name -> fully merged profile (built-in + config entries).
  std::map<std::string, v1::PlatformProfile> profiles;
  // Resolved: key (tenant, shop, profile); tenant "" and shop "" are the
  // defaults. Every combination that configuration can distinguish is
  // precomputed so Resolve is a lookup and its pointers stay valid.
  std::map<std::tuple<std::string, std::string, std::string>,
           std::unique_ptr<ResolvedProfile>>
      resolved;
  std::set<std::string> configured_tenants;
  // Every calendar as configured (built-ins merged with `calendars`).
  std::map<std::string, v1::Calendar> calendar_configs;
};

ProfileRegistry::ProfileRegistry() : impl_(std::make_unique<Impl>()) {}
ProfileRegistry::~ProfileRegistry() = default;

absl::StatusOr<v1::DaemonConfig> ProfileRegistry::ParseConfigText(
    absl::string_view text, absl::string_view filename) {
  v1::DaemonConfig config;
  CollectingErrors errors{std::string(filename)};
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  pb::TextFormat::ParseInfoTree tree;
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(std::string(text), &config)) {
    if (errors.errors().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(filename, ": cannot parse configuration"));
    }
    return absl::InvalidArgumentError(absl::StrJoin(errors.errors(), "\n"));
  }
  // Semantic checks (bad values, unknown names) too, so that every mistake
  // is reported with the line it stands on.
  absl::StatusOr<std::unique_ptr<ProfileRegistry>> checked = Create(config);
  if (!checked.ok()) {
    const std::string message(checked.status().message());
    const std::optional<pb::TextFormat::ParseLocation> at =
        LocateConfigError(config, tree, message);
    return absl::InvalidArgumentError(
        at.has_value() ? absl::StrCat(filename, ":", at->line + 1, ":",
                                      at->column + 1, ": ", message)
                       : absl::StrCat(filename, ": ", message));
  }
  return config;
}

absl::StatusOr<std::unique_ptr<ProfileRegistry>> ProfileRegistry::Create(
    const v1::DaemonConfig& config) {
  std::unique_ptr<ProfileRegistry> reg(new ProfileRegistry());
  Impl& impl = *reg->impl_;
  impl.config = config;

  // Calendars: built-ins, then configured ones (same name replaces).
  std::map<std::string, v1::Calendar> calendar_configs;
  for (const BuiltInCalendar& c : kBuiltInCalendars) {
    v1::Calendar cal;
    cal.set_name(c.name);
    cal.set_time_zone(c.zone);
    calendar_configs[c.name] = cal;
  }
  for (const v1::Calendar& c : config.calendars()) {
    if (c.name().empty()) {
      return absl::InvalidArgumentError(
          "calendars: a calendar has an empty \"name\"");
    }
    v1::Calendar cal = c;
    // A configured built-in name keeps the built-in zone unless it sets one.
    auto it = calendar_configs.find(c.name());
    if (cal.time_zone().empty() && it != calendar_configs.end()) {
      cal.set_time_zone(it->second.time_zone());
    }
    calendar_configs[c.name()] = cal;
  }
  impl.calendar_configs = calendar_configs;
  std::set<std::string> calendar_names;
  for (const auto& [name, cal] : calendar_configs) {
    auto created = BusinessCalendar::Create(cal);
    if (!created.ok()) return created.status();
    impl.calendars[name] = std::move(*created);
    calendar_names.insert(name);
  }

  // Profiles: built-ins from the common defaults.
  v1::PlatformProfile common;
  if (!pb::TextFormat::ParseFromString(kCommonDefaults, &common)) {
    return absl::InternalError("built-in profile defaults do not parse");
  }
  for (const BuiltIn& b : kBuiltIns) {
    v1::PlatformProfile over;
    if (!pb::TextFormat::ParseFromString(b.text, &over)) {
      return absl::InternalError(
          absl::StrCat("built-in profile ", b.name, " does not parse"));
    }
    v1::PlatformProfile p = common;
    ApplyOverride(over, &p);
    p.set_name(b.name);
    impl.profiles[b.name] = p;
  }
  // Configured profiles: a built-in name overrides; a new name derives from
  // `base` (default generic), which may itself be configured. Resolved in
  // dependency order with cycle detection.
  std::map<std::string, const v1::PlatformProfile*> configured;
  for (const v1::PlatformProfile& p : config.profiles()) {
    const std::string where = absl::StrCat("profile \"", p.name(), "\"");
    if (!ValidName(p.name())) {
      return Bad(where, "name", "must match [a-z0-9_]+");
    }
    if (configured.count(p.name())) {
      return Bad(where, "name", "is defined twice");
    }
    configured[p.name()] = &p;
  }
  std::set<std::string> builtin_names;
  for (const BuiltIn& b : kBuiltIns) builtin_names.insert(b.name);
  std::set<std::string> done;
  std::function<absl::Status(const std::string&, std::set<std::string>*)>
      build = [&](const std::string& name,
                  std::set<std::string>* visiting) -> absl::Status {
    if (done.count(name)) return absl::OkStatus();
    const v1::PlatformProfile& p = *configured[name];
    const std::string where = absl::StrCat("profile \"", name, "\"");
    if (visiting->count(name)) {
      return Bad(where, "base", "forms a cycle");
    }
    visiting->insert(name);
    v1::PlatformProfile merged;
    if (builtin_names.count(name) && p.base().empty()) {
      merged = impl.profiles[name];  // a built-in overridden in place
    } else {
      const std::string base = p.base().empty() ? "generic" : p.base();
      if (base == name) return Bad(where, "base", "names the profile itself");
      if (configured.count(base)) {  // configured, or an overridden built-in
        absl::Status s = build(base, visiting);
        if (!s.ok()) return s;
      }
      auto it = impl.profiles.find(base);
      if (it == impl.profiles.end()) {
        return Bad(where, "base",
                   absl::StrCat("names unknown profile \"", base, "\""));
      }
      merged = it->second;
    }
    absl::Status s = ValidateProfile(where, p, calendar_names);
    if (!s.ok()) return s;
    ApplyOverride(p, &merged);
    merged.set_name(name);
    merged.clear_base();
    impl.profiles[name] = merged;
    done.insert(name);
    visiting->erase(name);
    return absl::OkStatus();
  };
  for (const auto& [name, p] : configured) {
    std::set<std::string> visiting;
    absl::Status s = build(name, &visiting);
    if (!s.ok()) return s;
  }

  // Tenants and shops.
  auto add = [&](const std::string& tenant, const std::string& shop,
                 const std::string& language,
                 const std::vector<const v1::PlatformProfile*>& overrides)
      -> absl::Status {
    for (const auto& [name, base] : impl.profiles) {
      auto r = std::make_unique<ResolvedProfile>();
      r->settings = base;
      for (const v1::PlatformProfile* o : overrides)
        ApplyOverride(*o, &r->settings);
      const std::string where =
          absl::StrCat("tenant \"", tenant, "\"",
                       shop.empty() ? "" : absl::StrCat(" shop \"", shop, "\""),
                       " profile \"", name, "\"");
      absl::Status s = ValidateProfile(where, r->settings, calendar_names);
      if (!s.ok()) return s;
      r->calendar = impl.calendars[r->settings.calendar()].get();
      r->language = language.empty() ? "en" : language;
      impl.resolved[{tenant, shop, name}] = std::move(r);
    }
    return absl::OkStatus();
  };
  absl::Status s = add("", "", "en", {});
  if (!s.ok()) return s;
  for (const v1::TenantConfig& t : config.tenants()) {
    if (t.tenant().empty()) {
      return absl::InvalidArgumentError(
          "tenants: a tenant entry has an empty \"tenant\"");
    }
    if (!t.language().empty() && t.language() != "en" &&
        t.language() != "zh-CN") {
      return absl::InvalidArgumentError(
          absl::StrCat("tenant \"", t.tenant(), "\": field \"language\" \"",
                       t.language(), "\" is not \"en\" or \"zh-CN\""));
    }
    if (impl.configured_tenants.count(t.tenant())) {
      return absl::InvalidArgumentError(
          absl::StrCat("tenant \"", t.tenant(), "\" is configured twice"));
    }
    impl.configured_tenants.insert(t.tenant());
    s = add(t.tenant(), "", t.language(), {&t.profile()});
    if (!s.ok()) return s;
    for (const v1::ShopOverride& so : t.shops()) {
      if (so.shop_id().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tenant \"", t.tenant(), "\": a shops entry has an empty shop_id"));
      }
      s = add(t.tenant(), so.shop_id(), t.language(),
              {&t.profile(), &so.profile()});
      if (!s.ok()) return s;
    }
  }
  return reg;
}

bool ProfileRegistry::HasProfile(absl::string_view name) const {
  return impl_->profiles.count(std::string(name)) > 0;
}

absl::StatusOr<const ResolvedProfile*> ProfileRegistry::Resolve(
    absl::string_view tenant, absl::string_view shop_id,
    absl::string_view profile_name) const {
  const std::string name =
      profile_name.empty() ? "generic" : std::string(profile_name);
  if (!impl_->profiles.count(name)) {
    return absl::NotFoundError(
        absl::StrCat("unknown platform profile \"", name, "\""));
  }
  const std::string t(tenant);
  if (impl_->configured_tenants.count(t)) {
    auto it = impl_->resolved.find({t, std::string(shop_id), name});
    if (it != impl_->resolved.end()) return it->second.get();
    it = impl_->resolved.find({t, "", name});
    if (it != impl_->resolved.end()) return it->second.get();
  }
  auto it = impl_->resolved.find({"", "", name});
  if (it == impl_->resolved.end()) {
    return absl::InternalError(
        absl::StrCat("profile \"", name, "\" not resolved"));
  }
  return it->second.get();
}

const v1::DaemonConfig& ProfileRegistry::config() const {
  return impl_->config;
}

std::vector<std::string> ProfileRegistry::ProfileNames() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : impl_->profiles) out.push_back(name);
  return out;
}

std::vector<v1::Calendar> ProfileRegistry::Calendars() const {
  std::vector<v1::Calendar> out;
  for (const auto& [name, c] : impl_->calendar_configs) out.push_back(c);
  return out;
}

}  // namespace depositd::watchers
