#include "daemon/api_alerts.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "daemon/api_calls.h"
#include "daemon/api_json.h"

namespace depositd::daemon {
namespace {

absl::Status ParseCount(const ApiContext& ctx, const std::string& name,
                        uint64_t* out) {
  const std::string text = ctx.Param(name);
  if (text.empty()) return absl::OkStatus();
  if (!absl::SimpleAtoi(text, out)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, "=", text, " is not a non-negative whole number"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseAlertFilter(const ApiContext& ctx, v1::AlertFilter* filter) {
  filter->set_tenant(ctx.Param("tenant"));
  filter->set_shop_id(ctx.Param("shop"));
  for (absl::string_view name :
       absl::StrSplit(ctx.Param("kind"), ',', absl::SkipEmpty())) {
    v1::AlertKind k;
    if (!v1::AlertKind_Parse(std::string(name), &k) ||
        k == v1::ALERT_KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kind=", name,
          " is not an alert kind: use names such as BALANCE_SHORT, "
          "comma-separated"));
    }
    filter->add_kinds(k);
  }
  if (const std::string sev = ctx.Param("min_severity"); !sev.empty()) {
    v1::Severity s;
    if (!v1::Severity_Parse(sev, &s)) {
      return absl::InvalidArgumentError(
          absl::StrCat("min_severity=", sev,
                       " is not a severity: use INFO, WARNING or "
                       "CRITICAL"));
    }
    filter->set_min_severity(s);
  }
  if (!filter->shop_id().empty() && filter->tenant().empty() &&
      ctx.principal.all_tenants()) {
    return absl::InvalidArgumentError(
        "shop= needs tenant= too: shop ids are only unique within a tenant");
  }
  return absl::OkStatus();
}

HttpEdgeResponse ApiListAlerts(const ApiContext& ctx) {
  if (absl::Status s =
          ctx.CheckParams({"tenant", "shop", "kind", "min_severity"});
      !s.ok()) {
    return ErrorResponse(s);
  }
  v1::ListAlertsRequest request;
  if (absl::Status s = ParseAlertFilter(ctx, request.mutable_filter());
      !s.ok()) {
    return ErrorResponse(s);
  }
  absl::StatusOr<v1::ListAlertsResponse> r =
      ScopedListAlerts(ctx.engine, ctx.principal, &request);
  if (!r.ok()) return ErrorResponse(r.status());
  return MessageResponse(*r);
}

HttpEdgeResponse ApiAcknowledge(const ApiContext& ctx,
                                const std::string& body) {
  if (absl::Status s = ctx.CheckParams({}); !s.ok()) return ErrorResponse(s);
  v1::AcknowledgeRequest request;
  if (absl::Status s = ParseJsonBody(body, &request); !s.ok()) {
    return ErrorResponse(s);
  }
  absl::StatusOr<v1::AcknowledgeResponse> r =
      Await<v1::AcknowledgeResponse>(ctx.timeout, [&](auto done) {
        ScopedAcknowledge(ctx.engine, ctx.principal, &request,
                          [done = std::move(done)](absl::Status s) {
                            if (s.ok()) return done(v1::AcknowledgeResponse());
                            done(s);
                          });
      });
  if (!r.ok()) return ErrorResponse(r.status());
  return MessageResponse(*r);
}

HttpEdgeResponse ApiSilence(const ApiContext& ctx, const std::string& body) {
  if (absl::Status s = ctx.CheckParams({}); !s.ok()) return ErrorResponse(s);
  v1::SilenceRequest request;
  if (absl::Status s = ParseJsonBody(body, &request); !s.ok()) {
    return ErrorResponse(s);
  }
  absl::StatusOr<v1::SilenceResponse> r =
      ScopedSilence(ctx.engine, ctx.principal, &request);
  if (!r.ok()) return ErrorResponse(r.status());
  return MessageResponse(*r);
}

HttpEdgeResponse ApiTransitions(const ApiContext& ctx) {
  if (absl::Status s = ctx.CheckParams(
          {"from_sequence", "limit", "tenant", "shop", "kind", "min_severity"});
      !s.ok()) {
    return ErrorResponse(s);
  }
  uint64_t from = 0;
  uint64_t limit = kMaxTransitionsPerPoll;
  if (absl::Status s = ParseCount(ctx, "from_sequence", &from); !s.ok()) {
    return ErrorResponse(s);
  }
  if (absl::Status s = ParseCount(ctx, "limit", &limit); !s.ok()) {
    return ErrorResponse(s);
  }
  if (limit < 1 || limit > kMaxTransitionsPerPoll) {
    return ErrorResponse(absl::InvalidArgumentError(
        absl::StrCat("limit=", limit, " is out of range: use 1 to ",
                     kMaxTransitionsPerPoll)));
  }
  v1::AlertFilter filter;
  if (absl::Status s = ParseAlertFilter(ctx, &filter); !s.ok()) {
    return ErrorResponse(s);
  }
  absl::StatusOr<v1::AlertTransitionsResponse> r = ScopedTransitions(
      ctx.engine, ctx.principal, from, static_cast<int>(limit), &filter);
  if (!r.ok()) return ErrorResponse(r.status());
  return MessageResponse(*r);
}

}  // namespace depositd::daemon
