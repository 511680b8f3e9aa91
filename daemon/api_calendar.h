// The console API's shop calendar (api_router.h routes to it): GET
// /api/v1/shops/TENANT/SHOP/calendar?from=&to= answers a ShopCalendar
// (readiness.proto): the business calendar the shop's working days are
// counted on (its profile's, watchers/profiles.h), its time zone, and the
// weekends and holidays from `from` to `to` (YYYY-MM-DD in that zone; by
// default from the report's as_of to its expected payment, or 30 days when
// there is no projection). The same role and tenant checks as GET
// /api/v1/shops/TENANT/SHOP (it reads the shop's report for its profile).
//
// Thread-safe.
#ifndef DEPOSITD_DAEMON_API_CALENDAR_H_
#define DEPOSITD_DAEMON_API_CALENDAR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/api_context.h"
#include "daemon/http_handler.h"
#include "depositd/v1/readiness.pb.h"
#include "watchers/profiles.h"

namespace depositd::daemon {

// At most this many days in one answer.
inline constexpr int kMaxCalendarDays = 400;

// GET /api/v1/shops/TENANT/SHOP/calendar?from=&to=
HttpEdgeResponse ApiShopCalendar(const ApiContext& ctx,
                                 const std::string& tenant,
                                 const std::string& shop_id);

// The calendar of `report`'s shop in `registry` over [from, to] (empty:
// the defaults above). INVALID_ARGUMENT naming a bad or reversed date or a
// range over kMaxCalendarDays; the registry's error when the shop's
// profile does not resolve. Pure.
absl::StatusOr<v1::ShopCalendar> BuildShopCalendar(
    const watchers::ProfileRegistry& registry,
    const v1::ReadinessReport& report, absl::string_view from,
    absl::string_view to);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_API_CALENDAR_H_
