// The data directory holds merchants' paying accounts and the whole ledger:
// no other local user may read it. depositd runs with umask 077 (set first
// thing in main), so what it creates is 0700 (directories) and 0600
// (files); a directory that exists already must be as private.
//
// Thread-safe (stat only).
#ifndef DEPOSITD_DAEMON_PRIVATE_DIR_H_
#define DEPOSITD_DAEMON_PRIVATE_DIR_H_

#include <string>

#include "absl/status/status.h"

namespace depositd::daemon {

// The umask depositd runs with: nothing for group and others.
inline constexpr unsigned kDaemonUmask = 077;

// OK when `path` does not exist yet (it will be created private) or is a
// directory that group and others can neither read nor write. Otherwise
// FAILED_PRECONDITION saying how to fix it ("chmod 700 PATH"), or the
// stat error.
absl::Status CheckPrivateDataDir(const std::string& path);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_PRIVATE_DIR_H_
