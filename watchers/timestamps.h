// Forwarding header: the lead removes it after the s8 merge. Timestamp
// conversions live in common/timestamps.h now; include that.
#ifndef DEPOSITD_WATCHERS_TIMESTAMPS_H_
#define DEPOSITD_WATCHERS_TIMESTAMPS_H_

#include "common/timestamps.h"

namespace depositd::watchers {

using ::depositd::common::FromTimestamp;
using ::depositd::common::ToTimestamp;

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_TIMESTAMPS_H_
