#include "daemon/api_sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "daemon/auth.h"

namespace depositd::daemon {
namespace {

absl::StatusOr<std::string> RandomHex() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError(
        "the system's random source failed: cannot create a session");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

}  // namespace

absl::StatusOr<ApiSessions::Session> ApiSessions::Create(std::string token) {
  absl::StatusOr<std::string> id = RandomHex();
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> csrf = RandomHex();
  if (!csrf.ok()) return csrf.status();
  const absl::Time now = options_.now();
  Session s{*std::move(id), *std::move(csrf), std::move(token),
            now + options_.lifetime};
  const std::string hash = Sha256Hex(s.id);
  absl::MutexLock lock(&mu_);
  if (by_hash_.size() >= options_.max_sessions) {
    absl::erase_if(by_hash_, [now](const auto& kv) {
      return kv.second.expires_at <= now;
    });
  }
  if (by_hash_.size() >= options_.max_sessions) {
    auto first = by_hash_.begin();
    for (auto it = by_hash_.begin(); it != by_hash_.end(); ++it) {
      if (it->second.expires_at < first->second.expires_at) first = it;
    }
    by_hash_.erase(first);
  }
  by_hash_.emplace(hash, s);
  return s;
}

std::optional<ApiSessions::Session> ApiSessions::Find(
    absl::string_view id) const {
  if (id.empty()) return std::nullopt;
  const std::string hash = Sha256Hex(id);
  const absl::Time now = options_.now();
  absl::MutexLock lock(&mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end() || it->second.expires_at <= now) {
    return std::nullopt;
  }
  return it->second;
}

void ApiSessions::End(absl::string_view id) {
  const std::string hash = Sha256Hex(id);
  absl::MutexLock lock(&mu_);
  by_hash_.erase(hash);
}

bool ApiSessions::CsrfMatches(const Session& s, absl::string_view presented) {
  return presented.size() == s.csrf_token.size() &&
         CRYPTO_memcmp(presented.data(), s.csrf_token.data(),
                       presented.size()) == 0;
}

size_t ApiSessions::size() const {
  absl::MutexLock lock(&mu_);
  return by_hash_.size();
}

}  // namespace depositd::daemon
