// Small file helpers shared by the daemon tests: a temporary folder that is
// removed at the end of the test, and writing a file into it.
#ifndef DEPOSITD_TESTS_TEMP_FILES_H_
#define DEPOSITD_TESTS_TEMP_FILES_H_

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "gtest/gtest.h"

namespace depositd::integration {

// A fresh folder under testing::TempDir() named after `prefix`, removed at
// the end of its scope unless the environment sets DEPOSITD_KEEP_TEST_DIRS.
// Not thread-safe.
class ScopedTempDir {
 public:
  explicit ScopedTempDir(const std::string& prefix = "depositd-test") {
    path_ = ::testing::TempDir();
    if (path_.empty() || path_.back() != '/') path_ += '/';
    path_ += prefix + "-XXXXXX";
    EXPECT_NE(mkdtemp(path_.data()), nullptr) << path_;
  }
  ~ScopedTempDir() {
    if (std::getenv("DEPOSITD_KEEP_TEST_DIRS") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes `text` to DIR/NAME and returns the path.
inline std::string WriteFile(const std::string& dir, const std::string& name,
                             const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace depositd::integration

#endif  // DEPOSITD_TESTS_TEMP_FILES_H_
