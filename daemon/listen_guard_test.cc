#include "daemon/listen_guard.h"

#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

TEST(ListenGuardTest, LoopbackLiteralsAndLocalhostPass) {
  for (const char* host :
       {"127.0.0.1", "127.8.9.10", "::1", "localhost", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(RequireLoopback(host).ok())
        << host << ": " << RequireLoopback(host);
  }
}

TEST(ListenGuardTest, EverythingElseIsRefused) {
  // "127.anything" is a name, not an address: it passes only if it
  // resolves to loopback, which here it does not (no such name).
  for (const char* host :
       {"0.0.0.0", "::", "10.1.2.3", "192.168.0.1", "::ffff:10.0.0.1",
        "127.anything.invalid", "127.0.0.1.invalid", ""}) {
    const absl::Status s = RequireLoopback(host);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << host;
  }
}

}  // namespace
}  // namespace depositd::daemon
