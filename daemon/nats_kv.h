// NatsKv: one JetStream KV bucket read and written with the checks cluster
// mode needs: reads from the stream leader (never a lagging replica), and
// writes that say which revision they expect, so that two nodes racing for
// a key cannot both win.
//
// The bucket must exist (NatsClient::EnsureKv). Entries follow the KV
// conventions of every NATS client (stream KV_<bucket>, subject
// $KV.<bucket>.<key>, header KV-Operation DEL for a delete marker), so the
// `nats kv` tool shows them too.
//
// Contract: Create() succeeds only when the key has no live entry (never
// written, deleted, or expired by the bucket's TTL), else ALREADY_EXISTS;
// Update()/Delete() succeed only when the key's last revision is the given
// one, else FAILED_PRECONDITION; UNAVAILABLE when JetStream cannot answer
// within the client's request timeout. Keys: letters, digits and -_=. only.
//
// Thread-safety: thread-safe (no mutable state; the client is).
#ifndef DEPOSITD_DAEMON_NATS_KV_H_
#define DEPOSITD_DAEMON_NATS_KV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/nats_client.h"

namespace depositd::daemon {

struct KvEntry {
  std::string key;
  std::string value;
  // The entry's stream sequence: what Update()/Delete() expect.
  uint64_t revision = 0;
  // A delete marker (its revision still orders later writes).
  bool deleted = false;
  // When the server stored it.
  absl::Time written;
};

class NatsKv {
 public:
  // `client` must outlive this.
  NatsKv(NatsClient* client, std::string bucket);

  // The key's last entry (possibly a delete marker); NOT_FOUND when the key
  // was never written or its entries expired.
  absl::StatusOr<KvEntry> Get(absl::string_view key) const;
  // Writes `value` if the key has no live entry; returns the new revision.
  absl::StatusOr<uint64_t> Create(absl::string_view key,
                                  absl::string_view value);
  // Writes `value` if the key's last revision is `revision`.
  absl::StatusOr<uint64_t> Update(absl::string_view key,
                                  absl::string_view value, uint64_t revision);
  // Writes `value` whatever is there.
  absl::StatusOr<uint64_t> Put(absl::string_view key, absl::string_view value);
  // Writes a delete marker if the key's last revision is `revision`.
  absl::Status Delete(absl::string_view key, uint64_t revision);
  // The keys of every live entry (no delete markers), without their values.
  absl::StatusOr<std::vector<std::string>> Keys() const;
  // Every live entry (no delete markers) of the bucket, by key.
  absl::StatusOr<std::vector<KvEntry>> List() const;

  const std::string& bucket() const { return bucket_; }

 private:
  // Publishes to the key's subject: expect_last 0 means "no message", and
  // kAny skips the check.
  static constexpr uint64_t kAny = ~uint64_t{0};
  absl::StatusOr<uint64_t> Write(absl::string_view key, absl::string_view value,
                                 bool delete_marker, uint64_t expect_last);
  std::string Subject(absl::string_view key) const;

  NatsClient* client_;
  std::string bucket_;
  std::string stream_;
};

// Whether `key` is a valid KV key (letters, digits, -_=. ; 1..256 bytes).
bool IsValidKvKey(absl::string_view key);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_NATS_KV_H_
