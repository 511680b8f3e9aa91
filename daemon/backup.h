// Online backups of the data dir (Admin.Backup, `depositctl backup DIR`).
//
// Everything depositd keeps lives in its RocksDB store (event log,
// checkpoints of shops and dedupe ids, alert log, sink cursors, silences;
// see store.h), and the in-memory state (live and packed shops) is derived
// from it by recovery. So a consistent copy of the store is a consistent
// backup: BackUpStore takes a RocksDB checkpoint (Store::CreateCheckpoint)
// while ingest goes on, then opens the copy once, as a restored daemon
// would, to read the log position it holds and to close it cleanly (the
// copy then carries its own depositd.seal, so a later truncation of it is
// detected like the data dir's own).
//
// Restore: start depositd with --data-dir on the backup directory (or on a
// copy of it). It recovers to the backup's log position; events sent after
// that position can be resent: those it holds are duplicates, the others
// apply. A backup on the same file system as the data dir shares its table
// files by hard link, so it costs little space at first; copy it elsewhere
// (cp -a, rsync) to survive the loss of that disk.
//
//   absl::StatusOr<v1::BackupResponse> r =
//       BackUpStore(*engine->store(), "/var/backups/depositd/2026-03-05");
//
// Thread-safety: thread-safe; concurrent backups to different directories
// are allowed. Blocks the calling thread for the checkpoint (hard links and
// a copy of the write-ahead log: milliseconds to seconds).
#ifndef DEPOSITD_DAEMON_BACKUP_H_
#define DEPOSITD_DAEMON_BACKUP_H_

#include <string>

#include "absl/status/statusor.h"
#include "daemon/store.h"
#include "depositd/v1/service.pb.h"

namespace depositd::daemon {

// Writes a backup of `store` into `directory`, an absolute path that must
// not exist and whose parent must. Errors: INVALID_ARGUMENT (not absolute),
// ALREADY_EXISTS (choose a new directory), FAILED_PRECONDITION (no parent,
// or inside the data dir), RESOURCE_EXHAUSTED (disk full: nothing is left
// behind), or the store's error; a failed backup removes what it wrote.
absl::StatusOr<v1::BackupResponse> BackUpStore(const Store& store,
                                               const std::string& directory);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_BACKUP_H_
