// Tells systemd where depositd is in its life (a unit with Type=notify,
// deploy/systemd/depositd.service), through libsystemd's sd_notify(3):
//
//   kReady     READY=1 once recovery is done and both listeners serve:
//              `systemctl start` returns then, and units ordered After=
//              depositd start only then.
//   kStopping  STOPPING=1 when a drain begins (SIGTERM).
//
// Each message carries STATUS=<status> too, which `systemctl status`
// shows. Without $NOTIFY_SOCKET (not started by systemd, or a unit of
// another type) a call does nothing. A failed send (socket gone) is logged
// at warning level and otherwise ignored: systemd's own timeout then
// reports the unit, and the daemon keeps serving.
//
// Thread-safety: thread-safe (sd_notify is).
#ifndef DEPOSITD_DAEMON_SD_NOTIFY_H_
#define DEPOSITD_DAEMON_SD_NOTIFY_H_

#include "absl/strings/string_view.h"

namespace depositd::daemon {

enum class SystemdState { kReady, kStopping };

// Sends the state and `status` to $NOTIFY_SOCKET, when set.
void NotifySystemd(SystemdState state, absl::string_view status);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SD_NOTIFY_H_
