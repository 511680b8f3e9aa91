// Config silences: the standing silences of the configuration file
// (DaemonConfig.silences), checked and turned into notifier::Silence.
//
// Contract: each entry has a name unique in the file and at least one
// matcher; shop_id needs its tenant; kind and severity are known values;
// starts_at / ends_at are RFC 3339 when set, and ends_at is after
// starts_at. Empty starts_at: active from the start; empty ends_at: until
// the entry leaves the file. The check never reads the clock (a recorded
// configuration version must stay valid after its silences ended). A
// silence's id is "config:<name>", its `by` "config" when the file names
// nobody. Errors are INVALID_ARGUMENT "silences[I]: what is wrong" (the
// loader adds FILE:LINE:COLUMN).
//
// Pure; thread-safe.
#ifndef DEPOSITD_DAEMON_CONFIG_SILENCES_H_
#define DEPOSITD_DAEMON_CONFIG_SILENCES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "depositd/v1/config.pb.h"
#include "notifier/silences.h"

namespace depositd::daemon {

// The prefix of a config silence's id (and of silenced_by).
inline constexpr absl::string_view kConfigSilencePrefix = "config:";

absl::StatusOr<std::vector<notifier::Silence>> ConfigSilences(
    const v1::DaemonConfig& config);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_CONFIG_SILENCES_H_
