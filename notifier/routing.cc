#include "notifier/routing.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace depositd::notifier {
namespace {

constexpr int kMaxTimeoutMs = 600000;

bool ValidSinkName(absl::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// "http://" or "https://" (any case) followed by at least a host character.
bool ValidHttpUrl(absl::string_view url) {
  for (absl::string_view scheme : {"http://", "https://"}) {
    if (absl::StartsWithIgnoreCase(url, scheme)) {
      const absl::string_view rest = url.substr(scheme.size());
      return !rest.empty() && rest[0] != '/' &&
             rest.find_first_of(" \t\r\n") == absl::string_view::npos;
    }
  }
  return false;
}

absl::Status Invalid(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

}  // namespace

absl::StatusOr<AlertRouter> AlertRouter::Create(
    const v1::DaemonConfig& config) {
  AlertRouter router;
  absl::flat_hash_map<std::string, size_t> index;
  for (int i = 0; i < config.sinks_size(); ++i) {
    const v1::Sink& sink = config.sinks(i);
    const std::string path = absl::StrCat("sinks[", i, "]");
    if (sink.name().empty()) {
      return Invalid(absl::StrCat(path, ".name"), "must not be empty");
    }
    if (!ValidSinkName(sink.name())) {
      return Invalid(absl::StrCat(path, ".name"),
                     absl::StrCat("\"", sink.name(),
                                  "\" may only contain A-Z a-z 0-9 _ . -"));
    }
    if (index.contains(sink.name())) {
      return Invalid(absl::StrCat(path, ".name"),
                     absl::StrCat("duplicate sink name \"", sink.name(),
                                  "\" (also sinks[", index[sink.name()], "])"));
    }
    if (sink.type() == v1::SINK_TYPE_UNSPECIFIED ||
        !v1::SinkType_IsValid(sink.type())) {
      return Invalid(absl::StrCat(path, ".type"),
                     "must be one of WEBHOOK, SLACK, DINGTALK, FEISHU, WECOM, "
                     "ALERTMANAGER");
    }
    if (sink.url().empty()) {
      return Invalid(absl::StrCat(path, ".url"), "must not be empty");
    }
    if (!ValidHttpUrl(sink.url())) {
      return Invalid(absl::StrCat(path, ".url"),
                     absl::StrCat("\"", sink.url(),
                                  "\" is not an http:// or https:// URL"));
    }
    if (sink.has_timeout_ms() &&
        (sink.timeout_ms() < 1 || sink.timeout_ms() > kMaxTimeoutMs)) {
      return Invalid(absl::StrCat(path, ".timeout_ms"),
                     absl::StrCat(sink.timeout_ms(), " is not in [1, ",
                                  kMaxTimeoutMs, "]"));
    }
    for (int p = 0; p < sink.pace_size(); ++p) {
      const v1::SinkPace& pace = sink.pace(p);
      if (pace.messages() < 1 || pace.per_ms() < 1) {
        return Invalid(
            absl::StrCat(path, ".pace[", p, "]"),
            absl::StrCat("messages (", pace.messages(), ") and per_ms (",
                         pace.per_ms(), ") must both be at least 1"));
      }
    }
    if (sink.has_digest_max() && sink.digest_max() < 1) {
      return Invalid(absl::StrCat(path, ".digest_max"),
                     absl::StrCat(sink.digest_max(), " is below 1"));
    }
    index[sink.name()] = router.sinks_.size();
    router.sinks_.push_back(sink);
  }

  std::vector<std::string> defined;
  for (const v1::Sink& s : router.sinks_) defined.push_back(s.name());
  const std::string defined_list =
      defined.empty() ? "none" : absl::StrJoin(defined, ", ");

  for (int r = 0; r < config.routes_size(); ++r) {
    const v1::Route& route = config.routes(r);
    const std::string path = absl::StrCat("routes[", r, "]");
    CompiledRoute compiled;
    if (route.sinks().empty()) {
      return Invalid(absl::StrCat(path, ".sinks"),
                     absl::StrCat("must name at least one sink (defined: ",
                                  defined_list, ")"));
    }
    for (int s = 0; s < route.sinks_size(); ++s) {
      auto it = index.find(route.sinks(s));
      if (it == index.end()) {
        return Invalid(absl::StrCat(path, ".sinks[", s, "]"),
                       absl::StrCat("unknown sink \"", route.sinks(s),
                                    "\" (defined: ", defined_list, ")"));
      }
      if (std::find(compiled.sinks.begin(), compiled.sinks.end(), it->second) ==
          compiled.sinks.end()) {
        compiled.sinks.push_back(it->second);
      }
    }
    for (int k = 0; k < route.kinds_size(); ++k) {
      const int kind = route.kinds(k);
      if (kind == v1::ALERT_KIND_UNSPECIFIED || !v1::AlertKind_IsValid(kind)) {
        return Invalid(absl::StrCat(path, ".kinds[", k, "]"),
                       absl::StrCat(kind, " is not an alert kind"));
      }
      compiled.kinds.push_back(kind);
    }
    if (!v1::Severity_IsValid(route.min_severity())) {
      return Invalid(absl::StrCat(path, ".min_severity"),
                     absl::StrCat(route.min_severity(),
                                  " is not a severity (INFO, WARNING, "
                                  "CRITICAL)"));
    }
    compiled.min_severity = route.min_severity();
    if (route.has_repeat_interval_minutes() &&
        route.repeat_interval_minutes() < 1) {
      return Invalid(
          absl::StrCat(path, ".repeat_interval_minutes"),
          absl::StrCat(route.repeat_interval_minutes(), " must be at least 1"));
    }
    compiled.repeat_interval = absl::Minutes(
        route.has_repeat_interval_minutes() ? route.repeat_interval_minutes()
                                            : kDefaultRepeatIntervalMinutes);
    compiled.tenants.assign(route.tenants().begin(), route.tenants().end());
    router.routes_.push_back(std::move(compiled));
  }
  return router;
}

bool AlertRouter::Matches(const CompiledRoute& route,
                          const v1::Alert& alert) const {
  if (!route.tenants.empty() &&
      std::find(route.tenants.begin(), route.tenants.end(),
                alert.key().tenant()) == route.tenants.end()) {
    return false;
  }
  if (!route.kinds.empty() &&
      std::find(route.kinds.begin(), route.kinds.end(), alert.key().kind()) ==
          route.kinds.end()) {
    return false;
  }
  return alert.severity() >= route.min_severity;
}

std::vector<std::string> AlertRouter::SinksFor(const v1::Alert& alert) const {
  std::vector<bool> hit(sinks_.size(), false);
  for (const CompiledRoute& route : routes_) {
    if (!Matches(route, alert)) continue;
    for (size_t i : route.sinks) hit[i] = true;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < sinks_.size(); ++i) {
    if (hit[i]) out.push_back(sinks_[i].name());
  }
  return out;
}

bool AlertRouter::Routes(const v1::Alert& alert,
                         absl::string_view sink_name) const {
  for (const CompiledRoute& route : routes_) {
    if (!Matches(route, alert)) continue;
    for (size_t i : route.sinks) {
      if (sinks_[i].name() == sink_name) return true;
    }
  }
  return false;
}

absl::Duration AlertRouter::RepeatInterval(const v1::Alert& alert) const {
  absl::Duration best = absl::InfiniteDuration();
  for (const CompiledRoute& route : routes_) {
    if (Matches(route, alert)) best = std::min(best, route.repeat_interval);
  }
  return best;
}

const v1::Sink* AlertRouter::FindSink(absl::string_view name) const {
  for (const v1::Sink& s : sinks_) {
    if (s.name() == name) return &s;
  }
  return nullptr;
}

}  // namespace depositd::notifier
