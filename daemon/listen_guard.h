// Whether a --listen host is loopback only, decided on the addresses it
// resolves to, not on its text: "127.evil.example" is a name like any other
// and may resolve to a routable address.
//
// depositd serves without authentication only on loopback; this is the
// check behind that rule. Thread-safe (getaddrinfo).
#ifndef DEPOSITD_DAEMON_LISTEN_GUARD_H_
#define DEPOSITD_DAEMON_LISTEN_GUARD_H_

#include <string>

#include "absl/status/status.h"

namespace depositd::daemon {

// OK when `host` (an IP literal, without brackets, or a name) resolves and
// every address it resolves to is loopback (127.0.0.0/8, ::1, or
// ::ffff:127.0.0.0/104). Otherwise FAILED_PRECONDITION naming the first
// address that is not loopback, or saying the host does not resolve.
// Names are resolved with the system resolver (/etc/hosts, then DNS);
// "localhost" (and *.localhost) that does not resolve at all is loopback
// by definition (RFC 6761), one that resolves must resolve to loopback.
absl::Status RequireLoopback(const std::string& host);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_LISTEN_GUARD_H_
