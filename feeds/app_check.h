// Checks of the configured apps every feed's Create runs.
#ifndef DEPOSITD_FEEDS_APP_CHECK_H_
#define DEPOSITD_FEEDS_APP_CHECK_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "feeds/feed.h"

namespace depositd::feeds {

// OK when there is at least one app and each has an app key, a secret and
// a tenant, with no app key twice; INVALID_ARGUMENT naming the platform and
// the app key (never the secret) otherwise.
absl::Status CheckApps(absl::string_view platform,
                       const std::vector<FeedApp>& apps);

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_APP_CHECK_H_
