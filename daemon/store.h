// Store: the one place depositd touches RocksDB.
//
// Everything lives in one RocksDB database in the data dir, split into
// column families (all share one write-ahead log, so a WriteBatch across
// families is atomic):
//
//   family   key (built in store_keys.h)   value
//   -------  ----------------------------  ---------------------------------
//   default  "checkpoint"                  store.v1.CheckpointMeta (cuts)
//   default  "silence/" id                 store.v1.SilenceRecord
//   default  "sink_cursor/" sink name      alert sequence, 8-byte big-endian
//   default  "config/" version, 8-byte BE  depositd.v1.DaemonConfig in force
//                                          from that version on
//   default  "config_applied"              version every shard has applied,
//                                          8-byte big-endian
//   default  "console_session/" sha256 of  store.v1.ConsoleSession (console
//            the session id (hex)          sign-in; api_sessions.h)
//   log      position, 8-byte big-endian   store.v1.LogRecord (per group)
//   alerts   sequence, 8-byte big-endian   depositd.v1.Alert (the alert log)
//   shops    tenant "\0" shop_id           store.v1.ShopCheckpoint
//   shops    tenant "\0" shop_id "\0"      a page of the shop's orders or
//            page, 4-byte big-endian       records (ShopState::SerializePage)
//   dedupe   bucket, 8-byte big-endian     store.v1.DedupeBucket
//
// Big-endian numbers sort numerically, so ranges scan in order. The log
// family is written once per commit group and deleted by range after each
// checkpoint; it has no compression (records are short-lived).
//
// Durability: Write(sync=true) returns after the WAL is fsynced (survives
// power loss); sync=false returns after the WAL write() (survives a process
// crash, not a power loss or kernel crash).
//
// Failure contract: every RocksDB error becomes an absl::Status in one
// helper (FromRocksDb in store.cc), naming the operation. Opening a data dir
// already opened by another process fails with FAILED_PRECONDITION
// "data dir D is in use by another depositd (pid N)"; a damaged data dir
// fails with DATA_LOSS naming the dir, what is damaged and what to do.
// A clean close writes DIR/depositd.seal (RocksDB's last sequence number);
// the next Open first opens read-only and refuses a store OLDER than its
// seal (a truncated MANIFEST makes RocksDB silently open an older state).
// A store whose CURRENT file is missing is refused too (RocksDB would start
// an empty one). RocksDB's warnings go to stderr, not to a LOG file.
//
// Write errors (disk full, I/O errors): RocksDB then refuses every later
// write until it recovers. Write() returns RESOURCE_EXHAUSTED ("disk full in
// D: ...") or UNAVAILABLE; reads keep working. The caller may retry the SAME
// batch after RecoverWrites() returns OK: RocksDB applied none of it (a
// copy may sit in the write-ahead log when only the fsync failed; writing
// the same keys and values again is idempotent).
#ifndef DEPOSITD_DAEMON_STORE_H_
#define DEPOSITD_DAEMON_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "daemon/store_keys.h"  // EncodeBigEndian64, the key layouts

namespace depositd::daemon {

enum class Family { kMeta = 0, kLog, kAlerts, kShops, kDedupe };

// What to do about a damaged data dir, for error messages: keep a copy,
// restore from a backup or start empty and have the integrations resend.
std::string DamagedDataDirAdvice(absl::string_view dir);

class Store;

// A set of writes applied atomically by Store::Write. Borrows `store`, which
// must outlive it. Not thread-safe.
class StoreBatch {
 public:
  explicit StoreBatch(const Store& store);
  ~StoreBatch();
  StoreBatch(const StoreBatch&) = delete;
  StoreBatch& operator=(const StoreBatch&) = delete;

  void Put(Family f, absl::string_view key, absl::string_view value);
  // Put whose value is the concatenation of `value_parts` (no copy into a
  // temporary buffer first).
  void PutParts(Family f, absl::string_view key,
                absl::Span<const absl::string_view> value_parts);
  void Delete(Family f, absl::string_view key);
  // Deletes keys in [begin, end).
  void DeleteRange(Family f, absl::string_view begin, absl::string_view end);
  size_t Count() const;
  size_t ApproximateBytes() const;

  // Remembers the batch's current content; RollbackToSavePoint() drops
  // everything added since (used to rebuild a batch for a retried write).
  void SetSavePoint();
  void RollbackToSavePoint();

 private:
  friend class Store;
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// Thread-safe (RocksDB is; a reopen in RecoverWrites excludes every other
// call with a reader/writer lock); Write calls are serialized by RocksDB.
class Store {
 public:
  struct Options {
    std::string dir;
    // Memtable size of the log family, bytes.
    size_t log_write_buffer_bytes = 256 << 20;
    // Tests only (depositd --store-test-write-buffer-kb): when > 0, every
    // family gets memtables of this size and compaction starts at 2 level-0
    // files, so flushes and compactions run all the time under a small
    // load; and each compaction's start and end are appended to
    // DIR/compactions.trace ("begin JOB FAMILY" / "end JOB FAMILY", one
    // unbuffered write() each, so the lines survive kill -9), for crash
    // tests that kill the daemon while a compaction runs.
    size_t test_write_buffer_bytes = 0;
  };

  // Opens or creates the database in `options.dir` (created if missing) and
  // writes DIR/depositd.pid. Errors: FAILED_PRECONDITION if another process
  // holds the data dir; INTERNAL / DATA_LOSS for corrupt data; the RocksDB
  // message otherwise.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const Options& options);
  ~Store();

  // Applies `batch` atomically; durable per `sync` (see header comment).
  // Errors: RESOURCE_EXHAUSTED "disk full in DIR: ..." when the file system
  // is full; UNAVAILABLE for other I/O errors and for every write after one
  // failed, until RecoverWrites() succeeds; DATA_LOSS for corruption (do not
  // retry). On error nothing of `batch` is visible.
  absl::Status Write(StoreBatch& batch, bool sync);

  // After a failed Write: tries to make the store writable again. First
  // probes the data dir with a 1 MiB synced file (fails fast, changing
  // nothing, while the disk is still full), then reopens the database: the
  // reopen replays the write-ahead log from disk and starts a new one.
  // (DB::Resume() is not used: with every memtable empty it keeps the WAL
  // writer that failed, and RocksDB 7.8 built with assertions, as Debian's
  // is, aborts on the next write to it.) OK: retry the failed write.
  // Otherwise RESOURCE_EXHAUSTED (still full) or UNAVAILABLE, and the store
  // stays read-only. Reads wait while a reopen runs and fail with
  // UNAVAILABLE after a failed reopen, until one succeeds.
  // Call from one thread at a time (the committer).
  absl::Status RecoverWrites();

  // NOT_FOUND when missing.
  absl::StatusOr<std::string> Get(Family f, absl::string_view key) const;

  // Calls fn(key, value) for each key >= `from` in order until fn returns
  // false or the family ends. The views are valid during the call only.
  absl::Status Scan(Family f, absl::string_view from,
                    const std::function<bool(absl::string_view,
                                             absl::string_view)>& fn) const;

  // The greatest key of the family, or nullopt if empty.
  absl::StatusOr<std::optional<std::string>> LastKey(Family f) const;

  // Estimates for stats (0 when RocksDB has none).
  int64_t LiveBytes() const;
  int64_t EstimatedKeys() const;

  // Flushes memtables (used before a clean exit so restart replays less).
  absl::Status Flush();

  // Writes a consistent copy of the whole store into `dir` with RocksDB's
  // Checkpoint while writes go on: table files are hard-linked when `dir`
  // is on the same file system (copied otherwise) and the live write-ahead
  // log is copied, with no forced flush. Every Write that returned before
  // the call is in the copy, and each Write is in it whole or not at all.
  // The copy opens with Open() like any data dir. `dir` must not exist;
  // its parent must. Errors: the RocksDB error (e.g. "already exists",
  // disk full) through the usual conversion. Thread-safe.
  absl::Status CreateCheckpoint(const std::string& dir) const;

  const std::string& dir() const { return dir_; }

 private:
  friend class StoreBatch;
  Store() = default;
  struct Rep;
  std::unique_ptr<Rep> rep_;
  std::string dir_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_STORE_H_
