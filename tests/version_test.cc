// `depositd --version`: one line with the version and the git revision the
// build came from, exit code 0, nothing started.
#include <stdio.h>
#include <sys/wait.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"

namespace depositd::integration {
namespace {

using ::testing::MatchesRegex;

TEST(VersionTest, PrintsVersionAndRevisionAndExitsZero) {
  const std::string binary = DefaultDaemonBinary();
  ASSERT_FALSE(binary.empty());
  FILE* out = popen(("'" + binary + "' --version 2>&1").c_str(), "r");
  ASSERT_NE(out, nullptr);
  std::string text;
  char buffer[256];
  while (fgets(buffer, sizeof(buffer), out) != nullptr) text += buffer;
  const int status = pclose(out);
  ASSERT_TRUE(WIFEXITED(status)) << text;
  EXPECT_EQ(WEXITSTATUS(status), 0) << text;
  EXPECT_THAT(text, MatchesRegex("depositd [0-9]+\\.[0-9]+\\.[0-9]+ "
                                 "\\(revision ([0-9a-f]{12}|unknown)\\)\n"));
}

}  // namespace
}  // namespace depositd::integration
