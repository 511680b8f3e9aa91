// JetStreamLog: cluster mode's log of record batches, one subject per
// partition (depositd.log.<partition>) in one replicated JetStream stream
// (DEPOSITD_LOG, file storage, R3 on a 3-node NATS cluster).
//
// Contract:
// - Append() publishes one record on the partition's subject with
//   Nats-Msg-Id (a repeat within the stream's duplicate window is not
//   stored again: the ack says duplicate and carries the first sequence)
//   and the expected last sequence of that subject (fencing: if anyone
//   appended since the writer last looked, the append is refused with
//   FAILED_PRECONDITION and nothing is stored; the writer is no longer the
//   owner and must drop the partition). It returns only after JetStream's
//   publish ack, i.e. once the record is on a quorum of the stream's
//   replicas; acks to clients may go out then, never before.
// - UNAVAILABLE when no ack came within the client's request timeout (no
//   quorum, no server): the record may or may not be stored. Retry with
//   the same msg id and expected sequence: a stored one comes back as a
//   duplicate, a lost one is stored; never report success without the ack.
// - Read() returns a partition's records from a sequence, in order, through
//   an ordered consumer on the stream leader. A message on a log subject
//   that depositd did not write (no Depositd-Record header) is refused with
//   DATA_LOSS naming its sequence and what to do; nothing crashes.
//
// Thread-safety: thread-safe (no mutable state; libnats is). Fencing
// between writers comes from the expected sequence, not from a lock.
#ifndef DEPOSITD_DAEMON_JETSTREAM_LOG_H_
#define DEPOSITD_DAEMON_JETSTREAM_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/nats_client.h"

namespace depositd::daemon {

inline constexpr char kLogStream[] = "DEPOSITD_LOG";
inline constexpr char kLogSubjectPrefix[] = "depositd.log.";
// Header on every record depositd writes, with the record format version.
inline constexpr char kRecordHeader[] = "Depositd-Record";
inline constexpr char kRecordFormat[] = "1";

struct JetStreamLogOptions {
  // 3 on a 3-node NATS cluster, 1 on a single server.
  int replicas = 3;
  // Repeated Nats-Msg-Ids within this window are dropped as duplicates.
  absl::Duration duplicate_window = absl::Minutes(2);
};

struct LogAppendResult {
  // The record's stream sequence (the first one's, for a duplicate): the
  // partition's next Append() expects it.
  uint64_t sequence = 0;
  bool duplicate = false;
};

struct LogRecord {
  uint64_t sequence = 0;
  std::string msg_id;
  std::string data;
  absl::Time stored;
};

class JetStreamLog {
 public:
  // Creates or verifies the stream. `client` must outlive the result.
  static absl::StatusOr<std::unique_ptr<JetStreamLog>> Open(
      NatsClient* client, const JetStreamLogOptions& options);

  // The subject of `partition`.
  static std::string Subject(int partition);

  // Appends `record` if the partition's last sequence is `expect_last`
  // (0: the partition has no record yet). `msg_id` must be unique per
  // record (e.g. "<partition>-<owner epoch>-<batch>").
  absl::StatusOr<LogAppendResult> Append(int partition,
                                         absl::string_view msg_id,
                                         absl::string_view record,
                                         uint64_t expect_last);
  // The partition's last sequence (0 when it has no record).
  absl::StatusOr<uint64_t> LastSequence(int partition);
  // How many records the partition has with sequence > `after` (through a
  // short-lived consumer that delivers nothing; for status tools).
  static absl::StatusOr<uint64_t> CountAfter(NatsClient* client, int partition,
                                             uint64_t after);
  // Up to `max` records of the partition with sequence >= `from`.
  absl::StatusOr<std::vector<LogRecord>> Read(int partition, uint64_t from,
                                              size_t max);

 private:
  explicit JetStreamLog(NatsClient* client) : client_(client) {}
  NatsClient* client_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_JETSTREAM_LOG_H_
