#include "daemon/private_dir.h"

#include <sys/stat.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

using ::testing::HasSubstr;

std::string NewDir(const std::string& name, mode_t mode) {
  const std::string path = testing::TempDir() + "/private_dir_" + name;
  rmdir(path.c_str());
  EXPECT_EQ(mkdir(path.c_str(), 0700), 0) << path;
  EXPECT_EQ(chmod(path.c_str(), mode), 0);
  return path;
}

TEST(PrivateDirTest, MissingOrPrivateIsAccepted) {
  EXPECT_TRUE(CheckPrivateDataDir(testing::TempDir() + "/no-such-dir").ok());
  EXPECT_TRUE(CheckPrivateDataDir(NewDir("0700", 0700)).ok());
  EXPECT_TRUE(CheckPrivateDataDir(NewDir("0711", 0711)).ok());
}

TEST(PrivateDirTest, SharedIsRefusedWithTheFix) {
  const struct {
    const char* name;
    mode_t mode;
    const char* who;
  } cases[] = {{"0755", 0755, "other users"},
               {"0750", 0750, "its group"},
               {"0702", 0702, "other users"},
               {"0770", 0770, "its group"}};
  for (const auto& c : cases) {
    const std::string dir = NewDir(c.name, c.mode);
    const absl::Status s = CheckPrivateDataDir(dir);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << c.name;
    EXPECT_THAT(s.message(), HasSubstr(c.who));
    EXPECT_THAT(s.message(), HasSubstr(absl::StrCat("mode 0", c.name + 1)));
    EXPECT_THAT(s.message(), HasSubstr("chmod 700 " + dir));
  }
}

}  // namespace
}  // namespace depositd::daemon
