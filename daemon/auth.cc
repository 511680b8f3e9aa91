#include "daemon/auth.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/encodings.h"
#include "daemon/log.h"

namespace depositd::daemon {
namespace {

constexpr Role kAllRoles[] = {Role::kIngest, Role::kRead, Role::kAlerts,
                              Role::kAdmin};
constexpr absl::string_view kHashPrefix = "sha256:";

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role r : kAllRoles) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

std::array<uint8_t, 32> Sha256(absl::string_view data) {
  std::array<uint8_t, 32> out;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         out.data());
  return out;
}

bool ParseDigest(absl::string_view hex, std::array<uint8_t, 32>* out) {
  if (hex.size() != 64) return false;
  const std::optional<std::string> bytes = common::HexToBytes(hex);
  if (!bytes.has_value()) return false;
  std::copy(bytes->begin(), bytes->end(), out->begin());
  return true;
}

// Tenants and labels: printable ASCII without spaces, quotes or '='.
bool IsPlainWord(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c <= ' ' || c > '~' || c == '"' || c == '\'' || c == '=' || c == '\\') {
      return false;
    }
  }
  return true;
}

// Reads the token file, refusing one that group or others may write (as
// ssh refuses such an authorized_keys): whoever can write it can give
// themselves every tenant. The mode is checked on the descriptor read from.
// A value of a token file line as an error may show it: quoted when it is
// short (at most 12 printable ASCII characters: a role or key typo, never
// a usable token), otherwise only its length, as it could be a pasted
// token.
std::string Shown(absl::string_view value) {
  constexpr size_t kMaxShown = 12;
  bool printable = value.size() <= kMaxShown;
  for (char c : value) printable = printable && c > ' ' && c <= '~';
  if (printable) return absl::StrCat("\"", value, "\"");
  return absl::StrCat("(a ", value.size(),
                      "-byte value, not shown: it could be a token)");
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string message =
        absl::StrCat("cannot read token file ", path, ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    if (err == EACCES) return absl::PermissionDeniedError(message);
    return absl::UnavailableError(message);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot stat token file ", path,
                                               ": ", std::strerror(err)));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    close(fd);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o",
                  static_cast<unsigned>(st.st_mode & 07777));
    return absl::FailedPreconditionError(absl::StrCat(
        "token file ", path, " is writable by ",
        (st.st_mode & S_IWOTH) != 0 ? "others" : "its group", " (mode ", mode,
        "): whoever can write it can give themselves every tenant; make it "
        "writable by its owner only: chmod go-w ",
        path));
  }
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return absl::UnavailableError(absl::StrCat(
          "cannot read token file ", path, ": ", std::strerror(err)));
    }
    text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return text;
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kIngest:
      return "ingest";
    case Role::kRead:
      return "read";
    case Role::kAlerts:
      return "alerts";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::string Principal::RoleList() const {
  std::vector<absl::string_view> names;
  for (Role r : kAllRoles) {
    if (Has(r)) names.push_back(RoleName(r));
  }
  return names.empty() ? "none" : absl::StrJoin(names, ",");
}

Principal Principal::Unrestricted() {
  Principal p;
  p.name = "unauthenticated (no token file)";
  p.tenant = "*";
  for (Role r : kAllRoles) p.roles |= static_cast<uint32_t>(r);
  return p;
}

absl::Status RequireRole(const Principal& principal,
                         std::initializer_list<Role> roles,
                         absl::string_view rpc) {
  std::vector<absl::string_view> names;
  for (Role r : roles) {
    if (principal.Has(r)) return absl::OkStatus();
    names.push_back(RoleName(r));
  }
  return absl::PermissionDeniedError(absl::StrCat(
      rpc, " needs the role ", absl::StrJoin(names, " or "), "; token \"",
      principal.name, "\" has roles ", principal.RoleList(),
      ": use a token with that role, or ask the operator to add it to this "
      "token's line in depositd's token file"));
}

absl::Status RequireTenant(const Principal& principal, absl::string_view tenant,
                           absl::string_view rpc) {
  if (principal.MayAccess(tenant)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(rpc, ": token \"", principal.name, "\" is for tenant \"",
                   principal.tenant, "\" and may not access tenant \"", tenant,
                   "\": use that tenant's own token"));
}

std::string Sha256Hex(absl::string_view data) {
  const std::array<uint8_t, 32> digest = Sha256(data);
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(digest.data()), digest.size()));
}

// ---------------------------------------------------------------------------
// TokenTable
// ---------------------------------------------------------------------------

absl::StatusOr<TokenTable> TokenTable::Parse(absl::string_view text,
                                             absl::string_view path) {
  TokenTable table;
  std::vector<int> line_of;  // line of each entry, for duplicates
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    auto fail = [&](absl::string_view message) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_no, ": ", message));
    };
    if (const size_t hash = line.find('#'); hash != line.npos) {
      line = line.substr(0, hash);
    }
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r\v\f"), absl::SkipEmpty());
    if (fields.empty()) continue;

    Entry entry;
    // Never echo the first field: it may be a pasted token.
    if (!absl::StartsWith(fields[0], kHashPrefix) ||
        !ParseDigest(fields[0].substr(kHashPrefix.size()), &entry.digest)) {
      return fail(
          "the first field must be sha256:<64 hex digits>, the SHA-256 of "
          "the token (printf %s \"$TOKEN\" | sha256sum); the file must not "
          "hold tokens themselves");
    }
    bool has_tenant = false, has_roles = false, has_name = false;
    for (size_t i = 1; i < fields.size(); ++i) {
      const absl::string_view field = fields[i];
      const size_t eq = field.find('=');
      if (eq == field.npos) {
        return fail(absl::StrCat("expected key=value, got ", Shown(field),
                                 " (keys: tenant, roles, name)"));
      }
      const absl::string_view key = field.substr(0, eq);
      const absl::string_view value = field.substr(eq + 1);
      if (key == "tenant") {
        if (has_tenant) return fail("tenant= given twice");
        has_tenant = true;
        if (!IsPlainWord(value)) {
          return fail(absl::StrCat(
              "tenant ", Shown(value),
              " is empty or has spaces, quotes or '=': use the tenant "
              "name as in events, or * for every tenant"));
        }
        entry.principal.tenant = std::string(value);
      } else if (key == "roles") {
        if (has_roles) return fail("roles= given twice");
        has_roles = true;
        if (value.empty()) {
          return fail("roles is empty: use ingest, read, alerts, admin");
        }
        for (absl::string_view name : absl::StrSplit(value, ',')) {
          std::optional<Role> role = ParseRole(name);
          if (!role.has_value()) {
            return fail(absl::StrCat("unknown role ", Shown(name),
                                     ": use ingest, read, alerts, admin "
                                     "(comma-separated, no spaces)"));
          }
          entry.principal.roles |= static_cast<uint32_t>(*role);
        }
      } else if (key == "name") {
        if (has_name) return fail("name= given twice");
        has_name = true;
        if (!IsPlainWord(value)) {
          return fail(absl::StrCat("name ", Shown(value),
                                   " is empty or has spaces, quotes or '='"));
        }
        entry.principal.name = std::string(value);
      } else {
        return fail(absl::StrCat("unknown field ", Shown(key),
                                 " (fields: tenant, roles, name)"));
      }
    }
    if (!has_tenant) {
      return fail("missing tenant=<tenant> (or tenant=* for every tenant)");
    }
    if (!has_roles) {
      return fail("missing roles=<role,...> (ingest, read, alerts, admin)");
    }
    if (entry.principal.Has(Role::kAdmin) && !entry.principal.all_tenants()) {
      return fail(absl::StrCat(
          "role admin needs tenant=* (admin calls act on every tenant); "
          "tenant ",
          Shown(entry.principal.tenant), " cannot have it"));
    }
    if (!has_name) {
      entry.principal.name = absl::StrCat(
          kHashPrefix,
          absl::AsciiStrToLower(fields[0].substr(kHashPrefix.size(), 8)));
    }
    std::string key(reinterpret_cast<const char*>(entry.digest.data()),
                    entry.digest.size());
    if (auto it = table.by_digest_.find(key); it != table.by_digest_.end()) {
      return fail(absl::StrCat("duplicate token: the same sha256 is on line ",
                               line_of[it->second],
                               "; keep one line per token"));
    }
    table.by_digest_.emplace(std::move(key), table.entries_.size());
    table.entries_.push_back(std::move(entry));
    line_of.push_back(line_no);
  }
  return table;
}

const Principal* TokenTable::Find(absl::string_view token) const {
  const std::array<uint8_t, 32> digest = Sha256(token);
  auto it = by_digest_.find(absl::string_view(
      reinterpret_cast<const char*>(digest.data()), digest.size()));
  if (it == by_digest_.end()) return nullptr;
  const Entry& e = entries_[it->second];
  if (CRYPTO_memcmp(e.digest.data(), digest.data(), digest.size()) != 0) {
    return nullptr;
  }
  return &e.principal;
}

const Principal* TokenTable::FindSha256(absl::string_view sha256_hex) const {
  if (sha256_hex.size() != 64) return nullptr;
  const std::optional<std::string> raw = common::HexToBytes(sha256_hex);
  if (!raw.has_value() || raw->size() != 32) return nullptr;
  auto it = by_digest_.find(*raw);
  if (it == by_digest_.end()) return nullptr;
  const Entry& e = entries_[it->second];
  if (CRYPTO_memcmp(e.digest.data(), raw->data(), raw->size()) != 0) {
    return nullptr;
  }
  return &e.principal;
}

// ---------------------------------------------------------------------------
// Authorizer
// ---------------------------------------------------------------------------

Authorizer::Authorizer(Options options)
    : options_(std::move(options)),
      unauthenticated_(std::make_unique<LogThrottle>(
          options_.unauthenticated_log_interval,
          [this](absl::string_view line) { Log(line); })) {}

absl::StatusOr<std::unique_ptr<Authorizer>> Authorizer::Create(
    Options options) {
  if (options.token_file.empty()) {
    return absl::InvalidArgumentError("no token file given");
  }
  absl::StatusOr<std::string> text = ReadTokenFile(options.token_file);
  if (!text.ok()) return text.status();
  absl::StatusOr<TokenTable> table =
      TokenTable::Parse(*text, options.token_file);
  if (!table.ok()) return table.status();
  std::unique_ptr<Authorizer> auth(new Authorizer(std::move(options)));
  {
    absl::MutexLock lock(&auth->mu_);
    auth->table_ = std::make_shared<const TokenTable>(*std::move(table));
    auth->last_content_ = *std::move(text);
  }
  if (auth->options_.reload_interval > absl::ZeroDuration()) {
    auth->reload_thread_ = std::thread([a = auth.get()] { a->ReloadLoop(); });
  }
  return auth;
}

Authorizer::~Authorizer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (reload_thread_.joinable()) reload_thread_.join();
}

void Authorizer::ReloadLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_;
      };
      mu_.AwaitWithTimeout(absl::Condition(&stopping),
                           options_.reload_interval);
      if (stopping_) return;
    }
    ReloadIfChanged().IgnoreError();  // reported through Log
  }
}

void Authorizer::Log(absl::string_view message) const {
  if (options_.log) {
    options_.log(message);
    return;
  }
  LogWarning("auth", message);
}

absl::Status Authorizer::ReloadIfChanged() {
  absl::StatusOr<std::string> text = ReadTokenFile(options_.token_file);
  std::string report;
  absl::Status result;
  {
    absl::MutexLock lock(&mu_);
    const size_t old_count = table_->size();
    if (!text.ok() && absl::IsNotFound(text.status())) {
      // Deleting the token file is the emergency cut-off: fail closed.
      result = text.status();
      if (!revoked_) {
        revoked_ = true;
        table_ = std::make_shared<const TokenTable>();
        last_content_.clear();  // the file's return is a change
        last_error_ = std::string(result.message());
        last_error_is_read_ = true;
        report = absl::StrCat(
            "TOKEN FILE GONE: ", result.message(), "; every token (", old_count,
            ") is revoked and every call is refused with UNAUTHENTICATED "
            "until the file is back");
      }
    } else if (!text.ok()) {
      result = text.status();
      const std::string error = std::string(result.message());
      if (error != last_error_) {
        last_error_ = error;
        last_error_is_read_ = true;
        report = absl::StrCat(
            absl::IsFailedPrecondition(result) ? "TOKEN FILE REFUSED: " : "",
            error, "; keeping the previous ", old_count, " tokens");
      }
    } else if (*text != last_content_) {
      last_content_ = *text;
      revoked_ = false;
      absl::StatusOr<TokenTable> table =
          TokenTable::Parse(*text, options_.token_file);
      if (table.ok()) {
        table_ = std::make_shared<const TokenTable>(*std::move(table));
        last_error_.clear();
        last_error_is_read_ = false;
        report = absl::StrCat("token file ", options_.token_file,
                              " reloaded: ", table_->size(), " tokens (was ",
                              old_count, ")");
      } else {
        result = table.status();
        last_error_ = std::string(result.message());
        last_error_is_read_ = false;
        report = absl::StrCat("token file not reloaded: ", result.message(),
                              "; keeping the previous ", old_count, " tokens");
      }
    } else if (last_error_is_read_) {
      // Usable again with the content in force.
      last_error_.clear();
      last_error_is_read_ = false;
      report = absl::StrCat("token file ", options_.token_file,
                            " readable again; unchanged");
    }
  }
  if (!report.empty()) Log(report);
  return result;
}

size_t Authorizer::token_count() const {
  absl::MutexLock lock(&mu_);
  return table_->size();
}

absl::StatusOr<Principal> Authorizer::Authenticate(
    const grpc::ServerContextBase& context) const {
  std::vector<absl::string_view> values;
  const auto range = context.client_metadata().equal_range("authorization");
  for (auto it = range.first; it != range.second; ++it) {
    values.emplace_back(it->second.data(), it->second.size());
  }
  absl::StatusOr<Principal> p = AuthenticateHeader(values);
  if (absl::IsUnauthenticated(p.status())) {
    // Neither the token nor the request is logged; the peer and the reason
    // (which never holds the token) are.
    unauthenticated_->Note(absl::StrCat("refused an unauthenticated call from ",
                                        context.peer(), ": ",
                                        p.status().message()));
  }
  return p;
}

absl::StatusOr<Principal> Authorizer::AuthenticateHeader(
    const std::vector<absl::string_view>& authorization) const {
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "no credentials: this depositd requires a bearer token, sent as the "
        "metadata \"authorization: Bearer <token>\" (depositctl --token or "
        "$DEPOSITD_TOKEN)");
  }
  if (authorization.size() > 1) {
    return absl::UnauthenticatedError(
        "more than one authorization metadata entry: send exactly one "
        "\"authorization: Bearer <token>\"");
  }
  absl::string_view value = authorization[0];
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return absl::UnauthenticatedError(
        "the authorization metadata is not \"Bearer <token>\": send "
        "\"authorization: Bearer <token>\"");
  }
  const absl::string_view token =
      absl::StripAsciiWhitespace(value.substr(kScheme.size()));
  std::shared_ptr<const TokenTable> table;
  {
    absl::MutexLock lock(&mu_);
    table = table_;
  }
  const Principal* p = table->Find(token);
  if (p == nullptr) {
    return absl::UnauthenticatedError(
        "the bearer token is not in depositd's token file (mistyped, "
        "revoked, or for another deployment): ask the operator for a valid "
        "token");
  }
  return *p;
}

absl::StatusOr<Principal> Authorizer::AuthenticateSha256(
    absl::string_view sha256_hex) const {
  std::shared_ptr<const TokenTable> table;
  {
    absl::MutexLock lock(&mu_);
    table = table_;
  }
  const Principal* p = table->FindSha256(sha256_hex);
  if (p == nullptr) {
    return absl::UnauthenticatedError(
        "the token is no longer in depositd's token file (revoked): ask the "
        "operator for a valid token");
  }
  return *p;
}

}  // namespace depositd::daemon
