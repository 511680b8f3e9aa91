// ApiSessions: the console's sign-in sessions (POST /api/v1/session).
//
// A session is created from a depositd token that the Authorizer accepts;
// it holds that token in memory (never on disk, never sent back) so every
// request made with the session is authenticated again by the Authorizer:
// a token removed from the token file, or whose roles or tenant change,
// takes effect on its sessions at once, exactly as on gRPC.
//
// The session id (the depositd_session cookie's value) and its CSRF token
// are 32 random bytes each (OpenSSL RAND_bytes), hex; ids are looked up by
// their SHA-256 so a lookup's timing tells nothing about a valid id, and
// the CSRF token is compared in constant time. A session ends at its
// expiry (fixed at creation: Options::lifetime; no sliding renewal), at
// sign-out, or when the daemon restarts (sessions live in memory only:
// a restart signs everyone out; the console then asks for the token again).
// At most Options::max_sessions live at once: creating one more first drops
// expired sessions, then the one that expires first.
//
// Thread-safe (one mutex; every operation is a hash-map lookup).
#ifndef DEPOSITD_DAEMON_API_SESSIONS_H_
#define DEPOSITD_DAEMON_API_SESSIONS_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace depositd::daemon {

class ApiSessions {
 public:
  struct Options {
    absl::Duration lifetime = absl::Hours(8);
    size_t max_sessions = 10000;
    // Wall clock; tests pass a fake.
    std::function<absl::Time()> now = [] { return absl::Now(); };
  };

  struct Session {
    std::string id;          // the cookie value
    std::string csrf_token;  // the X-CSRF-Token value
    std::string token;       // the depositd token it was created with
    absl::Time expires_at;
  };

  explicit ApiSessions(Options options) : options_(std::move(options)) {}

  // A new session for `token` (already checked by the caller).
  // INTERNAL only if the system's random source fails.
  absl::StatusOr<Session> Create(std::string token);
  // The live session with cookie value `id`, or nullopt (unknown, ended or
  // expired).
  std::optional<Session> Find(absl::string_view id) const;
  // Ends the session `id` (no-op when unknown).
  void End(absl::string_view id);
  // `presented` equals the session's CSRF token (constant time).
  static bool CsrfMatches(const Session& s, absl::string_view presented);

  size_t size() const;

 private:
  const Options options_;
  mutable absl::Mutex mu_;
  // SHA-256 (hex) of the id -> session.
  absl::flat_hash_map<std::string, Session> by_hash_ ABSL_GUARDED_BY(mu_);
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_API_SESSIONS_H_
