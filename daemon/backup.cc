#include "daemon/backup.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/log.h"
#include "depositd/store/v1/checkpoint.pb.h"

namespace depositd::daemon {
namespace {

namespace fs = std::filesystem;

absl::Status CheckTarget(const Store& store, const std::string& directory) {
  const fs::path target(directory);
  if (directory.empty() || !target.is_absolute()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "backup directory \"", directory,
        "\" is not an absolute path (it is a path on the daemon's host)"));
  }
  std::error_code ec;
  if (fs::exists(target, ec)) {
    return absl::AlreadyExistsError(
        absl::StrCat("backup directory ", directory,
                     " already exists: give a new one (each backup is a "
                     "directory of its own)"));
  }
  const fs::path normal = target.lexically_normal();
  const fs::path parent = normal.parent_path();
  if (!fs::is_directory(parent, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the parent of backup directory ", directory, " (",
                     parent.string(), ") does not exist: create it first"));
  }
  const fs::path data = fs::weakly_canonical(store.dir(), ec);
  const fs::path where = fs::weakly_canonical(normal, ec);
  const std::string data_prefix = data.string() + "/";
  if (where == data || absl::StartsWith(where.string(), data_prefix)) {
    return absl::FailedPreconditionError(
        absl::StrCat("backup directory ", directory, " is inside the data dir ",
                     store.dir(), ": choose a directory outside it"));
  }
  return absl::OkStatus();
}

// The log position and alert sequence the store in `directory` holds,
// read by opening it as a restored daemon would; the close writes its seal.
absl::Status ReadPosition(const std::string& directory,
                          v1::BackupResponse* out) {
  Store::Options options;
  options.dir = directory;
  absl::StatusOr<std::unique_ptr<Store>> copy = Store::Open(options);
  if (!copy.ok()) return copy.status();
  uint64_t position = 0;
  absl::StatusOr<std::optional<std::string>> last_log =
      (*copy)->LastKey(Family::kLog);
  if (!last_log.ok()) return last_log.status();
  if (last_log->has_value()) position = DecodeBigEndian64(**last_log);
  // The log before the lowest cut is dropped after a checkpoint: with no
  // record left, the checkpoint's cuts say where the log ended.
  absl::StatusOr<std::string> meta_bytes =
      (*copy)->Get(Family::kMeta, "checkpoint");
  if (meta_bytes.ok()) {
    store::v1::CheckpointMeta meta;
    if (!meta.ParseFromString(*meta_bytes)) {
      return absl::DataLossError(
          absl::StrCat("the backup in ", directory,
                       " has checkpoint metadata that does "
                       "not parse"));
    }
    for (uint64_t cut : meta.cuts()) position = std::max(position, cut);
  } else if (!absl::IsNotFound(meta_bytes.status())) {
    return meta_bytes.status();
  }
  absl::StatusOr<std::optional<std::string>> last_alert =
      (*copy)->LastKey(Family::kAlerts);
  if (!last_alert.ok()) return last_alert.status();
  out->set_log_position(position);
  out->set_alert_sequence(
      last_alert->has_value() ? DecodeBigEndian64(**last_alert) : 0);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::BackupResponse> BackUpStore(const Store& store,
                                               const std::string& directory) {
  if (absl::Status s = CheckTarget(store, directory); !s.ok()) return s;
  const absl::Time start = absl::Now();
  v1::BackupResponse response;
  response.set_directory(directory);
  absl::Status s = store.CreateCheckpoint(directory);
  if (s.ok()) {
    // The owner's only, whatever the umask: it holds what the data dir
    // holds, and depositd refuses a data dir others can read.
    std::error_code ec;
    fs::permissions(directory, fs::perms::owner_all, fs::perm_options::replace,
                    ec);
    if (ec) {
      s = absl::UnavailableError(
          absl::StrCat("cannot chmod 700 ", directory, ": ", ec.message()));
    }
  }
  if (s.ok()) s = ReadPosition(directory, &response);
  if (!s.ok()) {
    std::error_code ec;
    fs::remove_all(directory, ec);
    LogError("backup", absl::StrCat("backup to ", directory,
                                    " failed (nothing kept): ", s.message()));
    return s;
  }
  int64_t files = 0;
  int64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(directory, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    ++files;
    bytes += static_cast<int64_t>(entry.file_size(ec));
  }
  response.set_files(files);
  response.set_bytes(bytes);
  const absl::Duration took = absl::Now() - start;
  response.mutable_took()->set_seconds(absl::ToInt64Seconds(took));
  response.mutable_took()->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(
          took - absl::Seconds(absl::ToInt64Seconds(took)))));
  LogInfo("backup", absl::StrCat("backup written to ", directory),
          {{"log_position", response.log_position()},
           {"alert_sequence", response.alert_sequence()},
           {"files", files},
           {"bytes", bytes},
           {"took_ms", absl::ToInt64Milliseconds(took)}});
  return response;
}

}  // namespace depositd::daemon
