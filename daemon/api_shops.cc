#include "daemon/api_shops.h"

#include <algorithm>
#include <initializer_list>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/timestamps.h"
#include "daemon/api_alerts.h"
#include "daemon/api_calls.h"
#include "daemon/api_json.h"

namespace depositd::daemon {
namespace {

// How many of the most recent alert-log transitions a shop's history looks
// through.
constexpr int kShopHistoryWindow = 4096;

// as_of= (RFC 3339) into `ts` when given.
absl::Status ParseAsOf(const ApiContext& ctx, google::protobuf::Timestamp* ts,
                       bool* has) {
  const std::string text = ctx.Param("as_of");
  *has = !text.empty();
  if (!*has) return absl::OkStatus();
  absl::StatusOr<absl::Time> t = common::ParseRfc3339(text);
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("as_of=", text,
                     " is not an RFC 3339 time: write e.g. "
                     "2026-06-01T00:00:00Z"));
  }
  common::ToTimestamp(*t, ts);
  return absl::OkStatus();
}

template <typename Request>
absl::Status ShopRequest(const ApiContext& ctx, const std::string& tenant,
                         const std::string& shop_id, Request* request) {
  if (absl::Status s = ctx.CheckParams({"as_of"}); !s.ok()) return s;
  request->set_tenant(tenant);
  request->set_shop_id(shop_id);
  bool has = false;
  google::protobuf::Timestamp ts;
  if (absl::Status s = ParseAsOf(ctx, &ts, &has); !s.ok()) return s;
  if (has) *request->mutable_as_of() = ts;
  return absl::OkStatus();
}

absl::Status ParseListShops(const ApiContext& ctx,
                            v1::ListShopsRequest* request) {
  if (absl::Status s =
          ctx.CheckParams({"tenant", "verdict", "risk", "profile", "q", "sort",
                           "page_size", "page_token"});
      !s.ok()) {
    return s;
  }
  request->set_tenant(ctx.Param("tenant"));
  for (absl::string_view name :
       absl::StrSplit(ctx.Param("verdict"), ',', absl::SkipEmpty())) {
    v1::Verdict v;
    if (!v1::Verdict_Parse(std::string(name), &v) ||
        v == v1::VERDICT_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("verdict=", name,
                       " is not a verdict: use READY, NOT_READY or READY_AT "
                       "(comma-separated for several)"));
    }
    request->add_verdicts(v);
  }
  if (const std::string risk = ctx.Param("risk"); !risk.empty()) {
    v1::AlertKind k;
    if (!v1::AlertKind_Parse(risk, &k) || k == v1::ALERT_KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "risk=", risk,
          " is not an alert kind: use a name such as BALANCE_SHORT or "
          "DISPUTE_RESPONSE_DUE"));
    }
    request->set_risk(k);
  }
  request->set_profile(ctx.Param("profile"));
  request->set_shop_id_prefix(ctx.Param("q"));
  const std::string sort = ctx.Param("sort");
  if (sort == "risk") {
    request->set_order(v1::SHOP_ORDER_RISK);
  } else if (!sort.empty() && sort != "id") {
    return absl::InvalidArgumentError(
        absl::StrCat("sort=", sort, " is unknown: use id or risk"));
  }
  if (const std::string size = ctx.Param("page_size"); !size.empty()) {
    int n = 0;
    if (!absl::SimpleAtoi(size, &n)) {
      return absl::InvalidArgumentError(
          absl::StrCat("page_size=", size, " is not a number: use 1 to 1000"));
    }
    request->set_page_size(n);
  }
  request->set_page_token(ctx.Param("page_token"));
  return absl::OkStatus();
}

}  // namespace

HttpEdgeResponse ApiOverview(const ApiContext& ctx) {
  if (absl::Status s = ctx.CheckParams({"tenant"}); !s.ok()) {
    return ErrorResponse(s);
  }
  v1::CountShopsRequest request;
  request.set_tenant(ctx.Param("tenant"));
  absl::StatusOr<v1::CountShopsResponse> r =
      Await<v1::CountShopsResponse>(ctx.timeout, [&](auto done) {
        ScopedCountShops(ctx.engine, ctx.principal, &request, std::move(done));
      });
  if (!r.ok()) return ErrorResponse(r.status());
  return MessageResponse(*r);
}

HttpEdgeResponse ApiListShops(const ApiContext& ctx) {
  v1::ListShopsRequest request;
  if (absl::Status s = ParseListShops(ctx, &request); !s.ok()) {
    return ErrorResponse(s);
  }
  absl::StatusOr<v1::ListShopsResponse> r =
      Await<v1::ListShopsResponse>(ctx.timeout, [&](auto done) {
        ScopedListShops(ctx.engine, ctx.principal, &request, std::move(done));
      });
  if (!r.ok()) return ErrorResponse(r.status());
  return MessageResponse(*r);
}

HttpEdgeResponse ApiGetShop(const ApiContext& ctx, const std::string& tenant,
                            const std::string& shop_id) {
  v1::GetShopRequest request;
  if (absl::Status s = ShopRequest(ctx, tenant, shop_id, &request); !s.ok()) {
    return ErrorResponse(s);
  }
  absl::StatusOr<v1::ReadinessReport> r =
      Await<v1::ReadinessReport>(ctx.timeout, [&](auto done) {
        ScopedGetShop(ctx.engine, ctx.principal, &request, std::move(done));
      });
  if (!r.ok()) return ErrorResponse(r.status());
  return MessageResponse(*r);
}

HttpEdgeResponse ApiExplain(const ApiContext& ctx, const std::string& tenant,
                            const std::string& shop_id) {
  v1::ExplainRequest request;
  if (absl::Status s = ShopRequest(ctx, tenant, shop_id, &request); !s.ok()) {
    return ErrorResponse(s);
  }
  absl::StatusOr<v1::ExplainResponse> r =
      Await<v1::ExplainResponse>(ctx.timeout, [&](auto done) {
        ScopedExplain(ctx.engine, ctx.principal, &request, std::move(done));
      });
  if (!r.ok()) return ErrorResponse(r.status());
  return MessageResponse(*r);
}

HttpEdgeResponse ApiShopAlerts(const ApiContext& ctx, const std::string& tenant,
                               const std::string& shop_id) {
  if (absl::Status s = ctx.CheckParams({}); !s.ok()) return ErrorResponse(s);
  // The shop must exist and be the caller's (GetShop's checks: 403 for
  // another tenant before anything is looked up, 404 when unknown).
  v1::GetShopRequest get;
  get.set_tenant(tenant);
  get.set_shop_id(shop_id);
  absl::StatusOr<v1::ReadinessReport> shop =
      Await<v1::ReadinessReport>(ctx.timeout, [&](auto done) {
        ScopedGetShop(ctx.engine, ctx.principal, &get, std::move(done));
      });
  if (!shop.ok()) return ErrorResponse(shop.status());
  v1::ListAlertsRequest request;
  request.mutable_filter()->set_tenant(tenant);
  request.mutable_filter()->set_shop_id(shop_id);
  absl::StatusOr<v1::ListAlertsResponse> r =
      ScopedListAlerts(ctx.engine, ctx.principal, &request);
  if (!r.ok()) return ErrorResponse(r.status());
  const uint64_t last = ctx.engine->alert_hub()->last_sequence();
  if (last > 0) {
    const uint64_t from =
        last > kShopHistoryWindow ? last - kShopHistoryWindow + 1 : 1;
    v1::AlertFilter filter = request.filter();
    absl::StatusOr<v1::AlertTransitionsResponse> h = ScopedTransitions(
        ctx.engine, ctx.principal, from, kShopHistoryWindow, &filter);
    if (!h.ok()) return ErrorResponse(h.status());
    for (v1::Alert& a : *h->mutable_alerts()) {
      *r->add_history() = std::move(a);
    }
  }
  return MessageResponse(*r);
}

}  // namespace depositd::daemon
