#include "daemon/sd_notify.h"

#include <systemd/sd-daemon.h>

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "daemon/log.h"

namespace depositd::daemon {

void NotifySystemd(SystemdState state, absl::string_view status) {
  // A newline would start another assignment in the message.
  const std::string one_line = absl::StrReplaceAll(status, {{"\n", " "}});
  const std::string message =
      absl::StrCat(state == SystemdState::kReady ? "READY=1" : "STOPPING=1",
                   "\nSTATUS=", one_line);
  const int r = sd_notify(/*unset_environment=*/0, message.c_str());
  if (r < 0) {
    LogWarning("systemd",
               absl::StrCat("cannot notify systemd through $NOTIFY_SOCKET: ",
                            std::strerror(-r)));
  }
}

}  // namespace depositd::daemon
