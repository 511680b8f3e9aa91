#include "daemon/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "daemon/log.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"
#include "rocksdb/write_buffer_manager.h"

namespace depositd::daemon {
namespace {

constexpr const char* kFamilyNames[] = {"default", "log", "alerts", "shops",
                                        "dedupe"};
constexpr int kFamilies = 5;

// The one conversion from rocksdb::Status to absl::Status.
absl::Status FromRocksDb(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string msg = absl::StrCat(what, ": ", s.ToString());
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(msg);
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(msg);
    case rocksdb::Status::kInvalidArgument:
      return absl::InvalidArgumentError(msg);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
      return absl::UnavailableError(msg);
    case rocksdb::Status::kIOError:
      if (s.subcode() == rocksdb::Status::kNoSpace) {
        return absl::ResourceExhaustedError(msg);
      }
      return absl::UnavailableError(msg);
    default:
      return absl::InternalError(msg);
  }
}

std::string ReadPidFile(const std::string& dir) {
  std::ifstream in(dir + "/depositd.pid");
  std::string pid;
  if (in) std::getline(in, pid);
  return pid;
}

// Appends one line per compaction start and end to a file with a single
// unbuffered write() each (tests only; see Store::Options).
class CompactionTrace final : public rocksdb::EventListener {
 public:
  explicit CompactionTrace(std::string path) : path_(std::move(path)) {}
  void OnCompactionBegin(rocksdb::DB*,
                         const rocksdb::CompactionJobInfo& ci) override {
    Append(absl::StrCat("begin ", ci.job_id, " ", ci.cf_name, "\n"));
  }
  void OnCompactionCompleted(rocksdb::DB*,
                             const rocksdb::CompactionJobInfo& ci) override {
    Append(absl::StrCat("end ", ci.job_id, " ", ci.cf_name, "\n"));
  }

 private:
  void Append(const std::string& line) {
    const int fd =
        open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;
    ssize_t ignored = write(fd, line.data(), line.size());
    (void)ignored;
    close(fd);
  }
  const std::string path_;
};

// RocksDB's warnings go to depositd's stderr (the service log), not to a
// LOG file in the data dir: a LOG write failing on a full disk would make
// RocksDB 7.8 (built with assertions, as Debian's is) abort on the next log
// line.
class StderrLogger final : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof(line), format, ap);
    LogWarning("rocksdb", line);
  }
};

// Writes and fsyncs a small file in `dir`, then removes it: fails with the
// errno while the file system is full (or failing).
absl::Status ProbeWritable(const std::string& dir) {
  const std::string path = dir + "/depositd.space-probe";
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("create ", path, ": ", std::strerror(errno)));
  }
  // 1 MiB: room for a memtable flush to start is the least we need.
  const std::string chunk(64 << 10, '\0');
  int err = 0;
  for (int i = 0; i < 16 && err == 0; ++i) {
    size_t off = 0;
    while (off < chunk.size()) {
      const ssize_t n = write(fd, chunk.data() + off, chunk.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        err = errno;
        break;
      }
      off += static_cast<size_t>(n);
    }
  }
  if (err == 0 && fdatasync(fd) != 0) err = errno;
  close(fd);
  unlink(path.c_str());
  if (err == ENOSPC || err == EDQUOT) {
    return absl::ResourceExhaustedError(
        absl::StrCat("disk full in ", dir, ": ", std::strerror(err)));
  }
  if (err != 0) {
    return absl::UnavailableError(
        absl::StrCat("write ", path, ": ", std::strerror(err)));
  }
  return absl::OkStatus();
}

constexpr char kSealFile[] = "/depositd.seal";

// The RocksDB sequence number recorded at the last clean close, if any.
std::optional<uint64_t> ReadSeal(const std::string& dir) {
  std::ifstream in(dir + kSealFile);
  std::string word;
  uint64_t seq = 0;
  if (in >> word >> seq && word == "rocksdb_sequence") return seq;
  return std::nullopt;
}

// Writes the seal atomically (temp file, fsync, rename, fsync of the dir).
void WriteSeal(const std::string& dir, uint64_t seq) {
  const std::string path = dir + kSealFile;
  const std::string tmp = path + ".tmp";
  const int fd =
      open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const std::string text = absl::StrCat("rocksdb_sequence ", seq, "\n");
  const bool ok = write(fd, text.data(), text.size()) ==
                      static_cast<ssize_t>(text.size()) &&
                  fsync(fd) == 0;
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return;
  }
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
}

}  // namespace

std::string DamagedDataDirAdvice(absl::string_view dir) {
  return absl::StrCat(
      "depositd has not changed its data in ", dir,
      ". To recover: keep a copy of the directory (tar it) for analysis; then "
      "restore ",
      dir,
      " from a backup, or move it aside and start with an empty data dir, "
      "and have every integration resend its events (event ids seen before "
      "are then not recognised as duplicates). See docs/reliability.md.");
}

// The open database. `mu` is held shared by every call that uses `db` or
// `handles` (including StoreBatch building, whose handles name the
// families) and exclusively by a reopen.
struct Store::Rep {
  mutable absl::Mutex mu;
  std::unique_ptr<rocksdb::DB> db ABSL_GUARDED_BY(mu);
  std::vector<rocksdb::ColumnFamilyHandle*> handles ABSL_GUARDED_BY(mu);
  // What Open used, for a reopen.
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  // A Write failed and no RecoverWrites succeeded since.
  std::atomic<bool> write_failed{false};

  void CloseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (db) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
      db->Close().PermitUncheckedError();
      db.reset();
    }
    handles.clear();
  }
  ~Rep() {
    absl::MutexLock lock(&mu);
    CloseLocked();
  }
};

struct StoreBatch::Rep {
  rocksdb::WriteBatch batch;
  Store::Rep* store;
  // Something was not added because the store was closed: Write refuses.
  bool incomplete = false;
  bool incomplete_at_save_point = false;

  // Calls op(handle of `f`) under the store's shared lock. The handle only
  // names the family (the batch records its id, which a reopen keeps); the
  // lock keeps it alive meanwhile. With the store closed (a failed reopen)
  // nothing is added and the batch's Write fails, even after a reopen.
  template <typename Op>
  void With(Family f, Op op) {
    absl::ReaderMutexLock lock(&store->mu);
    if (store->handles.empty()) {
      incomplete = true;
      return;
    }
    op(store->handles[static_cast<int>(f)]).PermitUncheckedError();
  }
};

namespace {
rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

absl::Status ClosedError(const std::string& dir) {
  return absl::UnavailableError(absl::StrCat(
      "the store in ", dir,
      " is closed after a failed reopen; depositd retries the reopen"));
}
}  // namespace

StoreBatch::StoreBatch(const Store& store) : rep_(std::make_unique<Rep>()) {
  rep_->store = store.rep_.get();
}
StoreBatch::~StoreBatch() = default;

void StoreBatch::Put(Family f, absl::string_view key, absl::string_view value) {
  rep_->With(f, [&](rocksdb::ColumnFamilyHandle* h) {
    return rep_->batch.Put(h, ToSlice(key), ToSlice(value));
  });
}

void StoreBatch::PutParts(Family f, absl::string_view key,
                          absl::Span<const absl::string_view> value_parts) {
  std::vector<rocksdb::Slice> parts;
  parts.reserve(value_parts.size());
  for (absl::string_view p : value_parts) parts.push_back(ToSlice(p));
  rocksdb::Slice k = ToSlice(key);
  rep_->With(f, [&](rocksdb::ColumnFamilyHandle* h) {
    return rep_->batch.Put(
        h, rocksdb::SliceParts(&k, 1),
        rocksdb::SliceParts(parts.data(), static_cast<int>(parts.size())));
  });
}

void StoreBatch::Delete(Family f, absl::string_view key) {
  rep_->With(f, [&](rocksdb::ColumnFamilyHandle* h) {
    return rep_->batch.Delete(h, ToSlice(key));
  });
}

void StoreBatch::DeleteRange(Family f, absl::string_view begin,
                             absl::string_view end) {
  rep_->With(f, [&](rocksdb::ColumnFamilyHandle* h) {
    return rep_->batch.DeleteRange(h, ToSlice(begin), ToSlice(end));
  });
}

size_t StoreBatch::Count() const { return rep_->batch.Count(); }
size_t StoreBatch::ApproximateBytes() const {
  return rep_->batch.GetDataSize();
}
void StoreBatch::SetSavePoint() {
  rep_->batch.SetSavePoint();
  rep_->incomplete_at_save_point = rep_->incomplete;
}
void StoreBatch::RollbackToSavePoint() {
  rep_->batch.RollbackToSavePoint().PermitUncheckedError();
  rep_->incomplete = rep_->incomplete_at_save_point;
}

namespace {

// DB::Open into *db and *handles.
rocksdb::Status OpenInto(
    const std::string& dir, const rocksdb::DBOptions& db_options,
    const std::vector<rocksdb::ColumnFamilyDescriptor>& families,
    std::unique_ptr<rocksdb::DB>* db,
    std::vector<rocksdb::ColumnFamilyHandle*>* handles) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, dir, families, handles, &raw);
  if (s.ok()) db->reset(raw);
  return s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const Options& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create data dir ", options.dir, ": ", ec.message()));
  }
  // Without CURRENT RocksDB would create a NEW, empty database and delete
  // the old files as obsolete: refuse when any store file is there.
  if (!std::filesystem::exists(options.dir + "/CURRENT", ec)) {
    for (const auto& e : std::filesystem::directory_iterator(options.dir, ec)) {
      const std::string name = e.path().filename().string();
      if (absl::StartsWith(name, "MANIFEST-") || absl::EndsWith(name, ".sst") ||
          absl::EndsWith(name, ".log") || name == "IDENTITY") {
        return absl::DataLossError(absl::StrCat(
            "data dir ", options.dir, " is damaged: it holds store files (",
            name, ") but no CURRENT file, which names the live MANIFEST. ",
            DamagedDataDirAdvice(options.dir)));
      }
    }
  }
  auto rep = std::make_unique<Rep>();
  rocksdb::DBOptions& db_options = rep->db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.max_total_wal_size = 1ull << 30;
  // All memtables together (shop state is already in memory; RocksDB's
  // copy only has to reach disk): the largest is flushed past 64 MiB, so the
  // log family's 256 MiB buffers and the others' 64 MiB cannot hold several
  // hundred MiB between them under a fast feed (the overload test's memory
  // bound counts 64 MiB for RocksDB).
  // Not allow_stall: with it, a write stalls once all memtables together
  // reach the limit, and only a flush ends the stall, but the manager
  // schedules a flush only for *mutable* memtable memory past 7/8 of the
  // limit; a 1M-shop populate wedged the committer there for good
  // (DBImpl::WriteBufferManagerStallWrites, flush threads idle; a known
  // RocksDB behaviour). Backpressure comes from each family's own stall
  // instead (max_write_buffer_number memtables awaiting flush), and the
  // families other than the log flush on their own at 16 MiB.
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(64ull << 20, nullptr,
                                                    /*allow_stall=*/false);
  db_options.keep_log_file_num = 3;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.info_log = std::make_shared<StderrLogger>();
  // Recovery from write errors is driven by RecoverWrites alone (called by
  // the committer), not by a RocksDB thread racing with it.
  db_options.max_bgerror_resume_count = 0;
  const size_t test_buffer = options.test_write_buffer_bytes;
  if (test_buffer > 0) {
    db_options.listeners.push_back(
        std::make_shared<CompactionTrace>(options.dir + "/compactions.trace"));
  }

  for (int i = 0; i < kFamilies; ++i) {
    rocksdb::ColumnFamilyOptions cf;
    if (static_cast<Family>(i) == Family::kLog) {
      cf.write_buffer_size = options.log_write_buffer_bytes;
      cf.max_write_buffer_number = 3;
      cf.compression = rocksdb::kNoCompression;
    } else {
      cf.write_buffer_size = 16 << 20;
    }
    if (test_buffer > 0) {
      cf.write_buffer_size = test_buffer;
      cf.level0_file_num_compaction_trigger = 2;
      cf.target_file_size_base = 4 * test_buffer;
      cf.max_bytes_for_level_base = 8 * test_buffer;
    }
    rep->families.emplace_back(kFamilyNames[i], cf);
  }
  // After a clean close the store must be at least as new as its seal: a
  // lost or truncated MANIFEST makes RocksDB open an OLDER state (and then
  // delete the newer files as obsolete), so check read-only first.
  if (const std::optional<uint64_t> seal = ReadSeal(options.dir)) {
    rocksdb::DBOptions ro_options = db_options;
    ro_options.create_if_missing = false;
    ro_options.listeners.clear();
    // Only the MANIFEST and WAL matter here; table files are opened (and
    // checked) by the real open below.
    ro_options.max_open_files = 16;
    ro_options.skip_stats_update_on_db_open = true;
    std::vector<rocksdb::ColumnFamilyHandle*> ro_handles;
    rocksdb::DB* ro = nullptr;
    rocksdb::Status rs = rocksdb::DB::OpenForReadOnly(
        ro_options, options.dir, rep->families, &ro_handles, &ro);
    if (rs.ok()) {
      const uint64_t seq = ro->GetLatestSequenceNumber();
      for (auto* h : ro_handles) ro->DestroyColumnFamilyHandle(h);
      delete ro;
      if (seq < *seal) {
        return absl::DataLossError(absl::StrCat(
            "data dir ", options.dir,
            " is damaged: it is older than depositd left it at its last "
            "clean stop (RocksDB sequence number ",
            seq, ", the seal depositd.seal says ", *seal,
            "): store files were lost or cut short (e.g. a truncated "
            "MANIFEST). ",
            DamagedDataDirAdvice(options.dir)));
      }
    }
    // A read-only open that fails is reported by the real open below.
  }
  rocksdb::Status s;
  {
    absl::MutexLock lock(&rep->mu);
    s = OpenInto(options.dir, db_options, rep->families, &rep->db,
                 &rep->handles);
  }
  if (!s.ok()) {
    const std::string text = s.ToString();
    if (s.IsIOError() && (text.find("lock") != std::string::npos ||
                          text.find("LOCK") != std::string::npos)) {
      const std::string pid = ReadPidFile(options.dir);
      return absl::FailedPreconditionError(absl::StrCat(
          "data dir ", options.dir, " is in use by another depositd",
          pid.empty() ? "" : absl::StrCat(" (pid ", pid, ")")));
    }
    if (s.IsCorruption() || s.IsIOError() || s.IsInvalidArgument()) {
      // A missing or garbled MANIFEST, CURRENT or table file.
      return absl::DataLossError(
          absl::StrCat("data dir ", options.dir,
                       " is damaged and cannot be opened (RocksDB: ", text,
                       "). ", DamagedDataDirAdvice(options.dir)));
    }
    return FromRocksDb(s, absl::StrCat("open data dir ", options.dir));
  }
  {
    absl::ReaderMutexLock lock(&rep->mu);
    for (int i = 0; i < kFamilies; ++i) {
      if (rep->handles[i]->GetID() != static_cast<uint32_t>(i)) {
        return absl::DataLossError(absl::StrCat(
            "data dir ", options.dir, ": column family ", kFamilyNames[i],
            " has id ", rep->handles[i]->GetID(), ", expected ", i,
            " (was it created by another program?)"));
      }
    }
  }
  {
    const std::string pid_path = options.dir + "/depositd.pid";
    const std::string tmp = pid_path + ".tmp";
    std::ofstream out(tmp, std::ios::trunc);
    out << getpid() << "\n";
    out.close();
    std::filesystem::rename(tmp, pid_path, ec);
  }
  std::filesystem::remove(options.dir + kSealFile, ec);
  auto store = std::unique_ptr<Store>(new Store());
  store->rep_ = std::move(rep);
  store->dir_ = options.dir;
  return store;
}

Store::~Store() {
  if (!rep_) return;
  absl::MutexLock lock(&rep_->mu);
  if (!rep_->db) return;
  const bool clean = !rep_->write_failed.load();
  // Memtables to table files: the next start replays no write-ahead log.
  if (clean) {
    rep_->db->Flush(rocksdb::FlushOptions(), rep_->handles)
        .PermitUncheckedError();
  }
  const uint64_t seq = rep_->db->GetLatestSequenceNumber();
  for (auto* h : rep_->handles) rep_->db->DestroyColumnFamilyHandle(h);
  rep_->handles.clear();
  const rocksdb::Status closed = rep_->db->Close();
  rep_->db.reset();
  if (clean && closed.ok()) WriteSeal(dir_, seq);
  std::error_code ec;
  std::filesystem::remove(dir_ + "/depositd.pid", ec);
}

absl::Status Store::Write(StoreBatch& batch, bool sync) {
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  rocksdb::Status s;
  {
    absl::ReaderMutexLock lock(&rep_->mu);
    if (!rep_->db || batch.rep_->incomplete) return ClosedError(dir_);
    s = rep_->db->Write(wo, &batch.rep_->batch);
  }
  if (s.ok()) return absl::OkStatus();
  rep_->write_failed.store(true);
  if (s.IsNoSpace()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("disk full in ", dir_, ": write: ", s.ToString()));
  }
  if (s.IsCorruption()) return FromRocksDb(s, absl::StrCat("write ", dir_));
  return absl::UnavailableError(
      absl::StrCat("cannot write to ", dir_, ": ", s.ToString()));
}

absl::Status Store::RecoverWrites() {
  if (absl::Status probe = ProbeWritable(dir_); !probe.ok()) return probe;
  // Space is back. DB::Resume() is not enough: with every memtable empty it
  // keeps the failed WAL writer, and RocksDB 7.8 then refuses (or, built
  // with assertions as Debian's is, aborts) on the next write to it. A
  // reopen starts a new WAL after replaying the old one from disk.
  absl::MutexLock lock(&rep_->mu);
  rep_->CloseLocked();
  rocksdb::Status s = OpenInto(dir_, rep_->db_options, rep_->families,
                               &rep_->db, &rep_->handles);
  if (!s.ok()) {
    rep_->db.reset();
    rep_->handles.clear();
    return FromRocksDb(s, absl::StrCat("reopen ", dir_));
  }
  rep_->write_failed.store(false);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Store::Get(Family f, absl::string_view key) const {
  std::string value;
  rocksdb::Status s;
  {
    absl::ReaderMutexLock lock(&rep_->mu);
    if (!rep_->db) return ClosedError(dir_);
    s = rep_->db->Get(rocksdb::ReadOptions(),
                      rep_->handles[static_cast<int>(f)], ToSlice(key), &value);
  }
  if (s.IsNotFound()) return absl::NotFoundError("not found");
  if (!s.ok()) return FromRocksDb(s, "get");
  return value;
}

absl::Status Store::Scan(
    Family f, absl::string_view from,
    const std::function<bool(absl::string_view, absl::string_view)>& fn) const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  absl::ReaderMutexLock lock(&rep_->mu);
  if (!rep_->db) return ClosedError(dir_);
  std::unique_ptr<rocksdb::Iterator> it(
      rep_->db->NewIterator(ro, rep_->handles[static_cast<int>(f)]));
  for (it->Seek(ToSlice(from)); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    const rocksdb::Slice v = it->value();
    if (!fn(absl::string_view(k.data(), k.size()),
            absl::string_view(v.data(), v.size()))) {
      break;
    }
  }
  return FromRocksDb(it->status(), "scan");
}

absl::StatusOr<std::optional<std::string>> Store::LastKey(Family f) const {
  absl::ReaderMutexLock lock(&rep_->mu);
  if (!rep_->db) return ClosedError(dir_);
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(
      rocksdb::ReadOptions(), rep_->handles[static_cast<int>(f)]));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocksDb(it->status(), "seek to last");
  if (!it->Valid()) return std::optional<std::string>();
  return std::optional<std::string>(it->key().ToString());
}

int64_t Store::LiveBytes() const {
  uint64_t total = 0;
  absl::ReaderMutexLock lock(&rep_->mu);
  if (!rep_->db) return 0;
  for (auto* h : rep_->handles) {
    uint64_t v = 0;
    if (rep_->db->GetIntProperty(h, "rocksdb.estimate-live-data-size", &v)) {
      total += v;
    }
    if (rep_->db->GetIntProperty(h, "rocksdb.cur-size-all-mem-tables", &v)) {
      total += v;
    }
  }
  return static_cast<int64_t>(total);
}

int64_t Store::EstimatedKeys() const {
  uint64_t total = 0;
  absl::ReaderMutexLock lock(&rep_->mu);
  if (!rep_->db) return 0;
  for (auto* h : rep_->handles) {
    uint64_t v = 0;
    if (rep_->db->GetIntProperty(h, "rocksdb.estimate-num-keys", &v)) {
      total += v;
    }
  }
  return static_cast<int64_t>(total);
}

absl::Status Store::Flush() {
  absl::ReaderMutexLock lock(&rep_->mu);
  if (!rep_->db) return ClosedError(dir_);
  return FromRocksDb(rep_->db->Flush(rocksdb::FlushOptions(), rep_->handles),
                     "flush");
}

absl::Status Store::CreateCheckpoint(const std::string& dir) const {
  absl::ReaderMutexLock lock(&rep_->mu);
  if (!rep_->db) return ClosedError(dir_);
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(rep_->db.get(), &raw);
  if (!s.ok()) return FromRocksDb(s, "start a checkpoint of " + dir_);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // No flush (the write-ahead log is copied instead): a backup does not
  // stall ingest behind a memtable flush.
  s = checkpoint->CreateCheckpoint(
      dir, /*log_size_for_flush=*/std::numeric_limits<uint64_t>::max());
  if (!s.ok()) return FromRocksDb(s, "write a checkpoint to " + dir);
  return absl::OkStatus();
}

}  // namespace depositd::daemon
