// Authentication and authorization: bearer tokens from a token file, each
// mapped to a tenant and a set of roles.
//
// Token file (UTF-8 text, one token per line; `#` starts a comment, blank
// lines are skipped):
//
//   # sha256 of the token                                         tenant  roles
//   sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae \
//       tenant=acme roles=ingest,read name=acme-feed
//   sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9 \
//       tenant=* roles=read,alerts,admin name=ops     # operators, any tenant
//
// (each entry is one line; it is wrapped here only for width). Fields:
//   sha256:<64 hex digits>  the SHA-256 of the token, so the file holds no
//                           secret: `printf %s "$TOKEN" | sha256sum`. A new
//                           token: `openssl rand -hex 32`.
//   tenant=<t>|*            the one tenant the token may touch; `*` = every
//                           tenant (operators).
//   roles=<r>[,<r>...]      ingest, read, alerts, admin. `admin` (stats,
//                           test clock: they act on every tenant) needs
//                           tenant=*.
//   name=<label>            optional; shown in logs and in PERMISSION_DENIED
//                           messages instead of the token (default: the
//                           first 8 hex digits of the hash).
// Errors are "FILE:LINE: message": bad syntax, an unknown field or role, a
// missing tenant or roles, a token listed twice. The first field is never
// echoed, other values only when at most 12 printable characters (a typo
// such as roles=reed): a pasted token could be in any of them.
//
// The file must not be writable by group or others (as ssh requires of
// authorized_keys): whoever can write it can grant themselves tenant=*.
// Such a file is refused at start; on reload it is ignored with a loud log
// line ("TOKEN FILE REFUSED") and the previous tokens stay in force.
//
// The Authorizer re-reads the file about once a second; a changed file that
// parses replaces the tokens at once (no restart), a broken one is logged
// with its FILE:LINE error and the previous tokens stay in force. A file
// that disappears revokes every token (fail closed: deleting it is the
// emergency cut-off), logged as "TOKEN FILE GONE"; when it is back its
// tokens are served again.
//
// Refused calls (UNAUTHENTICATED) are counted and logged at most once per
// Options::unauthenticated_log_interval, with the count.
//
// Tokens travel as gRPC metadata `authorization: Bearer <token>`. The
// presented token is hashed and the entry found by that hash, then checked
// with a constant-time compare (CRYPTO_memcmp). The lookup's timing depends
// only on the SHA-256 of what the caller sent, which tells nothing about a
// valid token (that would take a SHA-256 preimage), and the cost stays flat
// however many tokens the file holds (about 1 us a call).
#ifndef DEPOSITD_DAEMON_AUTH_H_
#define DEPOSITD_DAEMON_AUTH_H_

#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/log_throttle.h"
#include "grpcpp/server_context.h"

namespace depositd::daemon {

// What a token may do. A bit set in Principal::roles.
enum class Role : uint32_t {
  kIngest = 1,  // EventIngest.Stream / Publish
  kRead = 2,    // Readiness.*, Alerts.Watch / List
  kAlerts = 4,  // Alerts.* (Acknowledge and Silence need it)
  kAdmin = 8,   // Admin.* (needs tenant=*)
};

// "ingest", "read", "alerts", "admin".
absl::string_view RoleName(Role role);

// The caller of one rpc, as its token says.
struct Principal {
  // The token's label (name= or "sha256:<8 hex>"); never the token.
  std::string name;
  // The only tenant it may touch, or "*" for every tenant.
  std::string tenant;
  uint32_t roles = 0;

  bool all_tenants() const { return tenant == "*"; }
  bool Has(Role role) const {
    return (roles & static_cast<uint32_t>(role)) != 0;
  }
  bool MayAccess(absl::string_view t) const {
    return all_tenants() || t == tenant;
  }
  // "ingest,read" for messages.
  std::string RoleList() const;

  // Authentication off (no token file): every role, every tenant.
  static Principal Unrestricted();
};

// PERMISSION_DENIED naming the missing role and `rpc`, unless `principal`
// has at least one of `roles`.
absl::Status RequireRole(const Principal& principal,
                         std::initializer_list<Role> roles,
                         absl::string_view rpc);
// PERMISSION_DENIED unless `principal` may touch `tenant`. The message names
// the token's tenant and the requested one only: whether a shop exists is
// never revealed.
absl::Status RequireTenant(const Principal& principal, absl::string_view tenant,
                           absl::string_view rpc);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

// One parsed token file. Immutable once parsed; thread-safe.
class TokenTable {
 public:
  // Parses the text of a token file; `path` prefixes errors
  // ("PATH:LINE: message", INVALID_ARGUMENT).
  static absl::StatusOr<TokenTable> Parse(absl::string_view text,
                                          absl::string_view path);

  // The principal of `token`, or nullptr. Hashes the token, finds the entry
  // by its hash and confirms it with a constant-time compare.
  const Principal* Find(absl::string_view token) const;
  // The principal of the token whose SHA-256 is `sha256_hex` (64 hex
  // digits, either case), or nullptr; constant-time confirm as Find. For
  // callers that keep a token's hash instead of the token (console
  // sessions, api_sessions.h).
  const Principal* FindSha256(absl::string_view sha256_hex) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::array<uint8_t, 32> digest;
    Principal principal;
  };
  std::vector<Entry> entries_;
  // Raw 32-byte digest → index in entries_.
  absl::flat_hash_map<std::string, size_t> by_digest_;
};

// Turns the `authorization` metadata of a call into a Principal, from a
// token file it keeps current.
//
//   Authorizer::Options options;
//   options.token_file = "/etc/depositd/tokens";
//   absl::StatusOr<std::unique_ptr<Authorizer>> auth =
//       Authorizer::Create(options);
//   absl::StatusOr<Principal> who = (*auth)->Authenticate(*context);
//
// Thread-safe. Create starts a reload thread (unless reload_interval is
// zero) that the destructor stops.
class Authorizer {
 public:
  struct Options {
    std::string token_file;
    // How often the file is checked for changes. Zero: never (tests call
    // ReloadIfChanged).
    absl::Duration reload_interval = absl::Seconds(1);
    // Where reloads and reload errors are reported; default: stderr lines
    // "depositd: ...".
    std::function<void(absl::string_view)> log;
    // At most one log line per interval about refused (UNAUTHENTICATED)
    // calls, with their count.
    absl::Duration unauthenticated_log_interval = absl::Seconds(10);
  };

  // Reads and parses the token file. Errors: NOT_FOUND / PERMISSION_DENIED
  // naming the file when it cannot be read, FAILED_PRECONDITION when group
  // or others may write it (with the chmod that fixes it),
  // INVALID_ARGUMENT "FILE:LINE: message" when it does not parse.
  static absl::StatusOr<std::unique_ptr<Authorizer>> Create(Options options);
  ~Authorizer();
  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  // The caller of an rpc. UNAUTHENTICATED (with what to do, never the
  // token) when the metadata is missing, not "Bearer <token>", repeated, or
  // the token is not in the file (or the file is gone). Counts and logs
  // (throttled) each UNAUTHENTICATED.
  absl::StatusOr<Principal> Authenticate(
      const grpc::ServerContextBase& context) const;
  // Same, from the metadata value(s) of `authorization` (none: empty).
  absl::StatusOr<Principal> AuthenticateHeader(
      const std::vector<absl::string_view>& authorization) const;

  // Same, for the token whose SHA-256 is `sha256_hex` (a console session
  // keeps only that): UNAUTHENTICATED when no token of the file has it.
  absl::StatusOr<Principal> AuthenticateSha256(
      absl::string_view sha256_hex) const;

  // Re-reads the file; if its content changed and parses, the new tokens
  // take effect. Returns the parse or read error (the previous tokens stay;
  // NOT_FOUND: the file is gone and every token is revoked) or OK (changed
  // or not). Reports changes and errors to Options::log, each distinct
  // error once.
  absl::Status ReloadIfChanged();

  size_t token_count() const;
  // Calls refused with UNAUTHENTICATED since Create.
  uint64_t unauthenticated_count() const { return unauthenticated_->total(); }
  const std::string& token_file() const { return options_.token_file; }

 private:
  explicit Authorizer(Options options);
  void ReloadLoop();
  void Log(absl::string_view message) const;

  const Options options_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const TokenTable> table_ ABSL_GUARDED_BY(mu_);
  // The content last loaded or last rejected, and the last error reported.
  std::string last_content_ ABSL_GUARDED_BY(mu_);
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  // last_error_ is about reading the file (not its content).
  bool last_error_is_read_ ABSL_GUARDED_BY(mu_) = false;
  // The file is gone and every token revoked.
  bool revoked_ ABSL_GUARDED_BY(mu_) = false;
  const std::unique_ptr<LogThrottle> unauthenticated_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread reload_thread_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_AUTH_H_
