#include "daemon/store.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

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

}  // namespace

std::string EncodeBigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

uint64_t DecodeBigEndian64(absl::string_view key) {
  if (key.size() != 8) return 0;
  uint64_t v = 0;
  for (unsigned char c : key) v = (v << 8) | c;
  return v;
}

struct Store::Rep {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ~Rep() {
    if (db) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
      db->Close();
    }
  }
};

struct StoreBatch::Rep {
  rocksdb::WriteBatch batch;
  const std::vector<rocksdb::ColumnFamilyHandle*>* handles;
  rocksdb::ColumnFamilyHandle* handle(Family f) const {
    return (*handles)[static_cast<int>(f)];
  }
};

namespace {
rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}
}  // namespace

StoreBatch::StoreBatch(const Store& store) : rep_(std::make_unique<Rep>()) {
  rep_->handles = &store.rep_->handles;
}
StoreBatch::~StoreBatch() = default;

void StoreBatch::Put(Family f, absl::string_view key, absl::string_view value) {
  rep_->batch.Put(rep_->handle(f), ToSlice(key), ToSlice(value));
}

void StoreBatch::PutParts(Family f, absl::string_view key,
                          absl::Span<const absl::string_view> value_parts) {
  std::vector<rocksdb::Slice> parts;
  parts.reserve(value_parts.size());
  for (absl::string_view p : value_parts) parts.push_back(ToSlice(p));
  rocksdb::Slice k = ToSlice(key);
  rep_->batch.Put(
      rep_->handle(f), rocksdb::SliceParts(&k, 1),
      rocksdb::SliceParts(parts.data(), static_cast<int>(parts.size())));
}

void StoreBatch::Delete(Family f, absl::string_view key) {
  rep_->batch.Delete(rep_->handle(f), ToSlice(key));
}

void StoreBatch::DeleteRange(Family f, absl::string_view begin,
                             absl::string_view end) {
  rep_->batch.DeleteRange(rep_->handle(f), ToSlice(begin), ToSlice(end));
}

size_t StoreBatch::Count() const { return rep_->batch.Count(); }
size_t StoreBatch::ApproximateBytes() const {
  return rep_->batch.GetDataSize();
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const Options& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create data dir ", options.dir, ": ", ec.message()));
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.max_total_wal_size = 1ull << 30;
  db_options.keep_log_file_num = 3;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int i = 0; i < kFamilies; ++i) {
    rocksdb::ColumnFamilyOptions cf;
    if (static_cast<Family>(i) == Family::kLog) {
      cf.write_buffer_size = options.log_write_buffer_bytes;
      cf.max_write_buffer_number = 3;
      cf.compression = rocksdb::kNoCompression;
    } else {
      cf.write_buffer_size = 64 << 20;
    }
    families.emplace_back(kFamilyNames[i], cf);
  }
  auto rep = std::make_unique<Rep>();
  rocksdb::DB* db = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.dir, families, &rep->handles, &db);
  if (!s.ok()) {
    const std::string text = s.ToString();
    if (s.IsIOError() && (text.find("lock") != std::string::npos ||
                          text.find("LOCK") != std::string::npos)) {
      const std::string pid = ReadPidFile(options.dir);
      return absl::FailedPreconditionError(absl::StrCat(
          "data dir ", options.dir, " is in use by another depositd",
          pid.empty() ? "" : absl::StrCat(" (pid ", pid, ")")));
    }
    return FromRocksDb(s, absl::StrCat("open data dir ", options.dir));
  }
  rep->db.reset(db);
  for (int i = 0; i < kFamilies; ++i) {
    if (rep->handles[i]->GetID() != static_cast<uint32_t>(i)) {
      return absl::DataLossError(absl::StrCat(
          "data dir ", options.dir, ": column family ", kFamilyNames[i],
          " has id ", rep->handles[i]->GetID(), ", expected ", i,
          " (was it created by another program?)"));
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
  auto store = std::unique_ptr<Store>(new Store());
  store->rep_ = std::move(rep);
  store->dir_ = options.dir;
  return store;
}

Store::~Store() {
  if (rep_ && rep_->db) {
    std::error_code ec;
    std::filesystem::remove(dir_ + "/depositd.pid", ec);
  }
}

absl::Status Store::Write(StoreBatch& batch, bool sync) {
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  return FromRocksDb(rep_->db->Write(wo, &batch.rep_->batch), "write");
}

absl::StatusOr<std::string> Store::Get(Family f, absl::string_view key) const {
  std::string value;
  rocksdb::Status s =
      rep_->db->Get(rocksdb::ReadOptions(), rep_->handles[static_cast<int>(f)],
                    ToSlice(key), &value);
  if (s.IsNotFound()) return absl::NotFoundError("not found");
  if (!s.ok()) return FromRocksDb(s, "get");
  return value;
}

absl::Status Store::Scan(
    Family f, absl::string_view from,
    const std::function<bool(absl::string_view, absl::string_view)>& fn) const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
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
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(
      rocksdb::ReadOptions(), rep_->handles[static_cast<int>(f)]));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocksDb(it->status(), "seek to last");
  if (!it->Valid()) return std::optional<std::string>();
  return std::optional<std::string>(it->key().ToString());
}

int64_t Store::LiveBytes() const {
  uint64_t total = 0;
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
  for (auto* h : rep_->handles) {
    uint64_t v = 0;
    if (rep_->db->GetIntProperty(h, "rocksdb.estimate-num-keys", &v)) {
      total += v;
    }
  }
  return static_cast<int64_t>(total);
}

absl::Status Store::Flush() {
  return FromRocksDb(rep_->db->Flush(rocksdb::FlushOptions(), rep_->handles),
                     "flush");
}

}  // namespace depositd::daemon
