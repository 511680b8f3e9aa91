// ApiSessions: the console's sign-in sessions (POST /api/v1/session).
//
// A session is created from a depositd token that the Authorizer accepts;
// it keeps only the token's SHA-256 (as the token file lists it; never the
// token) so every request made with the session is authenticated again by
// the Authorizer: a token removed from the token file, or whose roles or
// tenant change, takes effect on its sessions at once, exactly as on gRPC.
//
// The session id (the depositd_session cookie's value) and its CSRF token
// are 32 random bytes each (OpenSSL RAND_bytes), hex; ids are looked up by
// their SHA-256 so a lookup's timing tells nothing about a valid id, and
// the CSRF token is compared in constant time. A session ends at its
// expiry (fixed at creation: Options::lifetime; no sliding renewal) or at
// sign-out. With Options::store, sessions survive a restart: each is
// written to the store's meta family (store_keys.h ConsoleSessionKey:
// the SHA-256 of the id, never the id; value store.v1.ConsoleSession: the
// CSRF token, the token's SHA-256 and the expiry), sign-out deletes it,
// and the constructor loads the live ones (expired or unreadable records
// are deleted then). Without a store they live in memory only.
// At most Options::max_sessions live at once: creating one more first drops
// expired sessions, then the one that expires first.
//
// Thread-safe (one mutex; every operation is a hash-map lookup; Create and
// End also write the store, outside the mutex).
#ifndef DEPOSITD_DAEMON_API_SESSIONS_H_
#define DEPOSITD_DAEMON_API_SESSIONS_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/store.h"

namespace depositd::daemon {

class ApiSessions {
 public:
  struct Options {
    absl::Duration lifetime = absl::Hours(8);
    size_t max_sessions = 10000;
    // Wall clock; tests pass a fake.
    std::function<absl::Time()> now = [] { return absl::Now(); };
    // Where sessions are kept across restarts (borrowed; outlives this);
    // null: memory only.
    Store* store = nullptr;
  };

  struct Session {
    std::string id;            // the cookie value
    std::string csrf_token;    // the X-CSRF-Token value
    std::string token_sha256;  // SHA-256 (hex) of the token it was made with
    absl::Time expires_at;
  };

  // Loads the store's live sessions (with a store); a store that cannot be
  // read leaves none (everyone signs in again): load_status() says why.
  explicit ApiSessions(Options options);

  // A new session for `token` (already checked by the caller). INTERNAL if
  // the system's random source fails; the store's error (e.g. disk full)
  // when it cannot be kept.
  absl::StatusOr<Session> Create(absl::string_view token);
  // The live session with cookie value `id`, or nullopt (unknown, ended or
  // expired).
  std::optional<Session> Find(absl::string_view id) const;
  // Ends the session `id` (no-op when unknown).
  void End(absl::string_view id);
  // `presented` equals the session's CSRF token (constant time).
  static bool CsrfMatches(const Session& s, absl::string_view presented);

  size_t size() const;
  // OK, or why the sessions could not be loaded from the store.
  const absl::Status& load_status() const { return load_status_; }

 private:
  absl::Status Load();
  // Deletes the stored sessions of these id hashes (with a store).
  void Forget(const std::vector<std::string>& hashes);

  const Options options_;
  absl::Status load_status_;
  mutable absl::Mutex mu_;
  // SHA-256 (hex) of the id -> session.
  absl::flat_hash_map<std::string, Session> by_hash_ ABSL_GUARDED_BY(mu_);
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_API_SESSIONS_H_
