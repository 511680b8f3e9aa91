// Shop checks: the watchers and deadlines of a processing step, for live
// steps and replay alike.
//
// FireDueDeadlines lists the shops whose pending check is due; RunShopChecks
// then runs, for every shop the step touched or fired, the risk watchers
// (or, for a tenant's watchdog entry, CheckFeedSilence) at the step's time,
// feeds the findings to the shop's AlertBook and schedules its next check
// (the earlier of the watchers' next check and the book's next repeat).
//
// Functions on a ShardState: not thread-safe, the shard's thread only.
#ifndef DEPOSITD_DAEMON_SHOP_CHECKS_H_
#define DEPOSITD_DAEMON_SHOP_CHECKS_H_

#include <vector>

#include "absl/time/time.h"
#include "daemon/log_record_writer.h"
#include "daemon/shard_state.h"
#include "depositd/v1/alerts.pb.h"

namespace depositd::daemon {

// Takes every deadline at or before `now` out of the index and lists its
// shop as fired for this step.
void FireDueDeadlines(ShardState& s, absl::Time now);

// Runs the checks of s.touched and s.fired (then clears both). The alert
// transitions go to `transitions` and each fired shop whose alerts changed
// to `fired_log`, when given (live steps; replay passes null for both).
void RunShopChecks(ShardState& s, absl::Time now,
                   std::vector<v1::Alert>* transitions,
                   LogRecordWriter* fired_log);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SHOP_CHECKS_H_
