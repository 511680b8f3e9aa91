#include "daemon/private_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace depositd::daemon {

absl::Status CheckPrivateDataDir(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot check the data dir ", path, ": ", std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the data dir ", path, " is not a directory"));
  }
  constexpr mode_t kShared = S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH;
  if ((st.st_mode & kShared) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o",
                  static_cast<unsigned>(st.st_mode & 07777));
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing the data dir ", path, ": it is readable or writable by ",
        (st.st_mode & (S_IROTH | S_IWOTH)) != 0 ? "other users" : "its group",
        " (mode ", mode,
        ") and holds merchants' paying accounts and the ledger; make it "
        "private with: chmod 700 ",
        path));
  }
  return absl::OkStatus();
}

}  // namespace depositd::daemon
