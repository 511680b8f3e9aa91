#include "daemon/api_sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/strip.h"
#include "daemon/auth.h"
#include "daemon/store_keys.h"
#include "depositd/store/v1/checkpoint.pb.h"

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

ApiSessions::ApiSessions(Options options) : options_(std::move(options)) {
  if (options_.store != nullptr) load_status_ = Load();
}

absl::Status ApiSessions::Load() {
  const absl::Time now = options_.now();
  std::vector<std::string> drop;
  absl::flat_hash_map<std::string, Session> loaded;
  absl::Status scan = options_.store->Scan(
      Family::kMeta, kConsoleSessionKeyPrefix,
      [&](absl::string_view key, absl::string_view value) {
        absl::string_view hash = key;
        if (!absl::ConsumePrefix(&hash, kConsoleSessionKeyPrefix)) {
          return false;
        }
        store::v1::ConsoleSession record;
        if (!record.ParseFromArray(value.data(),
                                   static_cast<int>(value.size())) ||
            record.csrf_token().empty() || record.token_sha256().empty() ||
            absl::FromUnixNanos(record.expires_at_nanos()) <= now) {
          drop.emplace_back(key);  // expired, or not a session: forget it
          return true;
        }
        // The id itself is not kept: a loaded session is found by its hash.
        loaded.emplace(std::string(hash),
                       Session{"", record.csrf_token(), record.token_sha256(),
                               absl::FromUnixNanos(record.expires_at_nanos())});
        return true;
      });
  if (!scan.ok()) return scan;
  {
    absl::MutexLock lock(&mu_);
    by_hash_ = std::move(loaded);
  }
  if (drop.empty()) return absl::OkStatus();
  StoreBatch batch(*options_.store);
  for (const std::string& key : drop) batch.Delete(Family::kMeta, key);
  return options_.store->Write(batch, /*sync=*/false);
}

absl::StatusOr<ApiSessions::Session> ApiSessions::Create(
    absl::string_view token) {
  absl::StatusOr<std::string> id = RandomHex();
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> csrf = RandomHex();
  if (!csrf.ok()) return csrf.status();
  const absl::Time now = options_.now();
  Session s{*std::move(id), *std::move(csrf), Sha256Hex(token),
            now + options_.lifetime};
  const std::string hash = Sha256Hex(s.id);
  if (options_.store != nullptr) {
    store::v1::ConsoleSession record;
    record.set_csrf_token(s.csrf_token);
    record.set_token_sha256(s.token_sha256);
    record.set_expires_at_nanos(absl::ToUnixNanos(s.expires_at));
    StoreBatch batch(*options_.store);
    batch.Put(Family::kMeta, ConsoleSessionKey(hash),
              record.SerializeAsString());
    // Durable against a crash of depositd (a power loss may sign the
    // newest sessions out: they sign in again).
    absl::Status written = options_.store->Write(batch, /*sync=*/false);
    if (!written.ok()) return written;
  }
  std::vector<std::string> dropped;
  {
    absl::MutexLock lock(&mu_);
    if (by_hash_.size() >= options_.max_sessions) {
      for (auto it = by_hash_.begin(); it != by_hash_.end();) {
        if (it->second.expires_at <= now) {
          dropped.push_back(it->first);
          by_hash_.erase(it++);
        } else {
          ++it;
        }
      }
    }
    if (by_hash_.size() >= options_.max_sessions) {
      auto first = by_hash_.begin();
      for (auto it = by_hash_.begin(); it != by_hash_.end(); ++it) {
        if (it->second.expires_at < first->second.expires_at) first = it;
      }
      dropped.push_back(first->first);
      by_hash_.erase(first);
    }
    by_hash_.emplace(hash, s);
  }
  Forget(dropped);
  return s;
}

void ApiSessions::Forget(const std::vector<std::string>& hashes) {
  if (options_.store == nullptr || hashes.empty()) return;
  StoreBatch batch(*options_.store);
  for (const std::string& h : hashes) {
    batch.Delete(Family::kMeta, ConsoleSessionKey(h));
  }
  // A failed delete leaves a record that expires anyway and is dropped at
  // the next load.
  options_.store->Write(batch, /*sync=*/false).IgnoreError();
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
  Session found = it->second;
  found.id = std::string(id);  // a session loaded from the store has none
  return found;
}

void ApiSessions::End(absl::string_view id) {
  const std::string hash = Sha256Hex(id);
  {
    absl::MutexLock lock(&mu_);
    by_hash_.erase(hash);
  }
  Forget({hash});
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
