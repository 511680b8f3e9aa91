// The alert key (v1::AlertKey: tenant, shop_id, kind, subject) as the
// notifier uses it: its order inside an AlertBook, its equality, and its one
// string form, "tenant/shop_id/KIND/subject", which the webhook header
// (X-Depositd-Alert-Key), a message's trace line and the daemon's logs show.
// Here, and not in payload.h or message.h, so that each of those can name a
// key without including the other.
//
// Pure; every function is thread-safe and never fails.
#ifndef DEPOSITD_NOTIFIER_ALERT_KEY_H_
#define DEPOSITD_NOTIFIER_ALERT_KEY_H_

#include <string>

#include "depositd/v1/alerts.pb.h"

namespace depositd::notifier {

// Orders alert keys by (kind, subject, tenant, shop): a book holds one
// shop's alerts, so kind and subject decide.
bool AlertKeyLess(const v1::AlertKey& a, const v1::AlertKey& b);
bool AlertKeyEqual(const v1::AlertKey& a, const v1::AlertKey& b);

// "tenant/shop_id/KIND/subject", or "tenant/shop_id/KIND" when the subject
// is empty (never a trailing '/') — the X-Depositd-Alert-Key header and log
// name of an alert. E.g. "acme/s1/DISPUTE_RESPONSE_DUE/D-7",
// "acme//FEED_SILENT".
std::string AlertKeyString(const v1::AlertKey& key);

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_ALERT_KEY_H_
