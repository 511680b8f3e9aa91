// The shop endpoints of the console API (api_router.h routes to them):
// overview counts, the shop list, one shop's report, its explanation and
// its alerts. Each parses its query (INVALID_ARGUMENT naming a bad or
// unknown parameter), calls api_calls.h (same roles and tenant checks as
// gRPC) and answers JSON (api_json.h).
//
// Thread-safe.
#ifndef DEPOSITD_DAEMON_API_SHOPS_H_
#define DEPOSITD_DAEMON_API_SHOPS_H_

#include <string>

#include "daemon/api_context.h"
#include "daemon/http_handler.h"

namespace depositd::daemon {

// GET /api/v1/overview?tenant=
HttpEdgeResponse ApiOverview(const ApiContext& ctx);
// GET /api/v1/shops?tenant=&verdict=A,B&risk=&profile=&q=&sort=id|risk
//     &page_size=&page_token=
HttpEdgeResponse ApiListShops(const ApiContext& ctx);
// GET /api/v1/shops/TENANT/SHOP?as_of=
HttpEdgeResponse ApiGetShop(const ApiContext& ctx, const std::string& tenant,
                            const std::string& shop_id);
// GET /api/v1/shops/TENANT/SHOP/explain?as_of=
HttpEdgeResponse ApiExplain(const ApiContext& ctx, const std::string& tenant,
                            const std::string& shop_id);
// GET /api/v1/shops/TENANT/SHOP/alerts: its firing alerts and, in
// `history`, its recent transitions.
HttpEdgeResponse ApiShopAlerts(const ApiContext& ctx, const std::string& tenant,
                               const std::string& shop_id);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_API_SHOPS_H_
