// Committer: the single thread that makes shard output durable (group
// commit).
//
// Shards push CommitItems; the committer takes everything queued, turns it
// into ONE StoreBatch — the shards' log parts joined into one log record
// (split only where a checkpoint needs a cut), the alert transitions under
// fresh global sequence numbers (single allocator: gap-free, commit order),
// checkpoint data (shop slices of the shards' checkpoint rounds) and the
// updated cuts — and appends it through the
// EventLog with one synced write. While that write syncs, new items queue up
// and form the next group, so the group size adapts to the load. Only after
// the write returns are batches completed (acks sent), alerts published and
// barrier callbacks run.
//
// A client batch spanning shards has one part per shard, in different items.
// A group takes only whole batches: an item waits (with its shard's later
// items, to keep shard order) until every part of its batches has arrived,
// so after a crash a batch is either entirely in the log or entirely out.
//
// A failed write cannot be undone in memory (shard state already contains
// the group), so the committer keeps the group and retries the SAME write
// until it succeeds, holding every ack meanwhile:
//   - disk full (RESOURCE_EXHAUSTED) or another I/O error (UNAVAILABLE):
//     write_status() reports it (the services refuse new batches with it),
//     and every 0.1 s .. 2 s Store::RecoverWrites() probes the disk and
//     reopens RocksDB, then the write is retried. Reads (shop state is in
//     memory) keep working. When the write succeeds the acks go out and
//     write_status() is OK again. Nothing acknowledged is ever lost: an ack
//     still needs its group's successful write.
//   - corruption (DATA_LOSS) or any other error, or a retry still failing
//     10 s after Stop() was called: the process exits (code 3) with a clear
//     message; recovery at the next start rebuilds from the durable log.
#ifndef DEPOSITD_DAEMON_COMMITTER_H_
#define DEPOSITD_DAEMON_COMMITTER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "daemon/engine_internal.h"
#include "daemon/engine_metrics.h"
#include "daemon/event_log.h"
#include "daemon/store.h"

namespace depositd::daemon {

// Push is thread-safe; the rest runs on the committer thread.
class Committer {
 public:
  struct Options {
    Store* store = nullptr;   // borrowed
    EventLog* log = nullptr;  // borrowed
    int shard_count = 1;
    // Cuts after recovery (one per shard) and the last alert sequence.
    std::vector<uint64_t> cuts;
    uint64_t last_alert_sequence = 0;
    // Called after each durable write with the committed transitions (in
    // sequence order).
    std::function<void(std::vector<v1::Alert>)> publish_alerts;
    // Called (on the committer thread, must not block) each time a write
    // fails or fails differently, with what write_status() then says.
    std::function<void(const absl::Status&)> on_write_error;
    // Metric cells this thread records into; null: none.
    CommitterMetrics* metrics = nullptr;
  };

  explicit Committer(Options options);
  ~Committer();

  void Start();
  // Commits everything pushed before the call, then stops the thread.
  void Stop();

  void Push(CommitItem item);

  // OK while writes succeed. After a failed write, until its retry
  // succeeds: RESOURCE_EXHAUSTED "disk full in DIR: ..." or UNAVAILABLE
  // "cannot write to DIR: ...", with what to do. Thread-safe.
  absl::Status write_status() const;

  uint64_t last_alert_sequence() const { return alert_seq_.load(); }
  uint64_t checkpoint_position() const { return min_cut_.load(); }
  uint64_t commits() const { return commits_.load(); }

 private:
  void Run();
  // Moves into `ready` the longest per-shard prefixes of `held` whose client
  // batches are complete among them (every shard part of each such batch
  // is in `ready`), so a group never holds part of a batch; the rest stays
  // in `held`, in order. With `all`, moves everything (stopping).
  static void TakeClosedPrefixes(std::vector<CommitItem>& held,
                                 std::vector<CommitItem>& ready, bool all);
  void CommitGroup(std::vector<CommitItem>& items);
  // Metrics of a committed group (committer thread): its size, write time
  // and the log bytes the checkpoint cut `min_cut` leaves uncovered.
  void RecordGroup(CommitterMetrics& m, const std::vector<CommitItem>& items,
                   absl::Span<const RecordPieces> records, uint64_t base,
                   uint64_t min_cut, int64_t write_nanos);
  // Appends `records` with `batch` (the group's side effects), retrying as
  // described above; returns only on success (else exits the process).
  void AppendWithRetry(absl::Span<const RecordPieces> records,
                       StoreBatch& batch);
  void SetWriteStatus(absl::Status s);

  Options options_;
  absl::Mutex mu_;
  std::vector<CommitItem> queue_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;

  mutable absl::Mutex status_mu_;
  absl::Status write_status_ ABSL_GUARDED_BY(status_mu_);

  // Committer thread only.
  std::vector<uint64_t> cuts_;
  // Per shard, the cut taken by its last CommitItem::cut_mark; it becomes
  // cuts_[shard] at the round's cut_commit.
  std::vector<uint64_t> marked_cuts_;
  uint64_t truncated_before_ = 0;
  std::atomic<uint64_t> alert_seq_{0};
  std::atomic<uint64_t> min_cut_{0};
  std::atomic<uint64_t> commits_{0};
  // Log bytes after the checkpoint cut (metric): the total written by this
  // process, and (position, total so far) per record not yet covered.
  uint64_t log_bytes_written_ = 0;
  uint64_t log_bytes_covered_ = 0;
  std::deque<std::pair<uint64_t, uint64_t>> uncovered_records_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_COMMITTER_H_
