// EventLog: the durable, ordered log of commit-group records (the source of
// truth; shop state is in memory and checkpointed, see engine.h).
//
// Positions start at 1 and increase by one per record, with no gaps.
//
// This is the seam for cluster mode: the single-node implementation
// (RocksDbEventLog) keeps records in the store's `log` family and writes them
// in the same WriteBatch as their side effects (alert-log entries,
// checkpoints). A replicated implementation (NATS JetStream, design.md
// "Later") will publish records to the replicated log with quorum acks and
// then apply the side effects to the local store; recovery is unchanged:
// checkpoint + ReadFrom(cut + 1).
#ifndef DEPOSITD_DAEMON_EVENT_LOG_H_
#define DEPOSITD_DAEMON_EVENT_LOG_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "daemon/store.h"

namespace depositd::daemon {

// A record given as pieces whose concatenation is the record's bytes.
using RecordPieces = std::vector<absl::string_view>;

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends `records` at the next positions, atomically with the writes in
  // `side_effects` (which the call consumes), durable per the log's sync
  // policy when it returns OK. Returns the position of the last record
  // appended (the previous last position when `records` is empty). On error
  // nothing was appended.
  virtual absl::StatusOr<uint64_t> Append(
      absl::Span<const RecordPieces> records, StoreBatch& side_effects) = 0;

  // Calls fn(position, bytes) for each record at position >= `from`, in
  // order, until fn returns false.
  virtual absl::Status ReadFrom(
      uint64_t from,
      const std::function<bool(uint64_t, absl::string_view)>& fn) const = 0;

  // Adds to `batch` the removal of every record before `position`.
  virtual void TruncateBefore(uint64_t position, StoreBatch& batch) = 0;

  // Position of the last record appended (0: none ever).
  virtual uint64_t LastPosition() const = 0;
};

// The single-node log: records in the store's `log` family.
// Append is called by one thread at a time (the committer); LastPosition and
// ReadFrom are thread-safe.
class RocksDbEventLog final : public EventLog {
 public:
  // `store` is borrowed and must outlive the log. Reads the last position.
  static absl::StatusOr<std::unique_ptr<RocksDbEventLog>> Create(Store* store,
                                                                 bool sync);

  absl::StatusOr<uint64_t> Append(absl::Span<const RecordPieces> records,
                                  StoreBatch& side_effects) override;
  absl::Status ReadFrom(uint64_t from,
                        const std::function<bool(uint64_t, absl::string_view)>&
                            fn) const override;
  void TruncateBefore(uint64_t position, StoreBatch& batch) override;
  uint64_t LastPosition() const override;

 private:
  RocksDbEventLog(Store* store, bool sync, uint64_t last)
      : store_(store), sync_(sync), last_(last) {}
  Store* const store_;
  const bool sync_;
  std::atomic<uint64_t> last_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_EVENT_LOG_H_
