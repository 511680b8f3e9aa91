// depositd under systemd (deploy/systemd/depositd.service).
//
// UnitFileVerifies: `systemd-analyze verify` accepts the unit with no
// warning at all (an unknown key or a bad value is only a warning with exit
// code 0, so the output must be empty), checked in a scratch root holding
// the host's units, the built depositd as /usr/bin/depositd and kill; and
// the same check does report a unit with a typo (so an empty output means
// something).
//
// NotifiesReadyAfterRecoveryAndStoppingOnDrain: with NOTIFY_SOCKET set to a
// unix datagram socket this test binds, as systemd does for Type=notify,
// depositd sends READY=1 only once it serves: at the moment the datagram
// arrives, gRPC health already says SERVING and a shop ingested before a
// kill -9 is back with every event (recovery replayed the log); and
// STOPPING=1 when SIGTERM starts the drain.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"
#include "tools/grpc_health_v1.grpc.pb.h"

namespace depositd::integration {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* out = popen((command + " 2>&1").c_str(), "r");
  if (out == nullptr) return r;
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), out) != nullptr) r.output += buffer;
  const int status = pclose(out);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A scratch root for `systemd-analyze verify --root`: the host's units (for
// sysinit.target and the rest), /usr/bin/depositd and /bin/kill, and
// `unit_text` as depositd.service.
CommandResult VerifyInScratchRoot(const std::string& root,
                                  const std::string& unit_text) {
  namespace fs = std::filesystem;
  fs::remove_all(root);
  fs::create_directories(root + "/usr/bin");
  fs::create_directories(root + "/bin");
  fs::create_directories(root + "/lib/systemd");
  fs::copy("/lib/systemd/system", root + "/lib/systemd/system",
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  fs::copy_file(DefaultDaemonBinary(), root + "/usr/bin/depositd");
  fs::copy_file("/bin/kill", root + "/bin/kill");
  std::ofstream(root + "/lib/systemd/system/depositd.service") << unit_text;
  return RunCommand(absl::StrCat("systemd-analyze verify --man=no --root='",
                                 root, "' depositd.service"));
}

TEST(SystemdTest, UnitFileVerifies) {
  if (RunCommand("command -v systemd-analyze").exit_code != 0) {
    GTEST_SKIP() << "systemd-analyze is missing (Debian package systemd; "
                    "deploy/install-deps.sh installs it for the tests)";
  }
  std::ifstream in(DEPOSITD_SYSTEMD_UNIT);
  ASSERT_TRUE(in) << DEPOSITD_SYSTEMD_UNIT;
  std::string unit((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  ASSERT_THAT(unit, ::testing::HasSubstr("Type=notify"));
  ScopedTempDir dir("systemd-verify");
  const std::string root = dir.path() + "/root";
  const CommandResult ok = VerifyInScratchRoot(root, unit);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(ok.output, "") << "systemd-analyze warns about the unit";

  std::string typo = unit;
  typo.replace(typo.find("PrivateTmp=true"), 15, "PrivateTmpp=true");
  const CommandResult bad = VerifyInScratchRoot(root, typo);
  EXPECT_THAT(bad.output, ::testing::HasSubstr("PrivateTmpp"));
}

// The notify socket: a unix datagram socket, like systemd's.
class FakeNotifySocket {
 public:
  explicit FakeNotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path_.c_str());
    bound_ = fd_ >= 0 &&
             bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{0, 100 * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~FakeNotifySocket() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  bool bound() const { return bound_; }
  // The next datagram, or "" after `timeout`.
  std::string Receive(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    char buffer[4096];
    while (absl::Now() < deadline) {
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n > 0) return std::string(buffer, static_cast<size_t>(n));
    }
    return "";
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

std::string HealthNow(int port) {
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  grpc::health::v1::Health::Stub health(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status s = health.Check(&context, request, &response);
  if (!s.ok()) return "error: " + s.error_message();
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
      response.status());
}

TEST(SystemdTest, NotifiesReadyAfterRecoveryAndStoppingOnDrain) {
  // sun_path holds 108 bytes: keep the socket's path short.
  const std::string socket_path =
      absl::StrCat("/tmp/depositd-notify-", getpid(), ".sock");
  FakeNotifySocket notify(socket_path);
  ASSERT_TRUE(notify.bound()) << socket_path;
  const int port = FreeLoopbackPort();
  ASSERT_NE(port, 0);

  // What happens at the moment READY=1 arrives, on the receiving thread.
  struct AtReady {
    std::string message;
    std::string health;
    int64_t events_applied = -1;
  };
  auto wait_ready = [&](AtReady* out) {
    out->message = notify.Receive(absl::Seconds(60));
    out->health = HealthNow(port);
    absl::StatusOr<v1::ReadinessReport> shop =
        GetShop(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                    grpc::InsecureChannelCredentials()),
                "acme", "shop-1");
    if (shop.ok()) out->events_applied = shop->events_applied();
  };

  DaemonHarness::Options options;
  options.env = {"NOTIFY_SOCKET=" + socket_path};
  options.extra_args = {"--listen", absl::StrCat("127.0.0.1:", port)};
  AtReady first;
  std::thread first_waiter(wait_ready, &first);
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  first_waiter.join();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_THAT(first.message, ::testing::StartsWith("READY=1\nSTATUS="));
  EXPECT_EQ(first.health, "SERVING");

  // Events that only a replay of the log brings back: no clean stop.
  ShopEvents shop("acme", "shop-1");
  std::vector<v1::Event> events = {
      shop.Registered("r", "2026-02-01T00:00:00Z", "generic", "US")};
  for (int i = 0; i < 50; ++i) {
    events.push_back(shop.Order(absl::StrCat("o", i), "2026-03-01T00:00:00Z",
                                absl::StrCat("order-", i), v1::PLACED));
  }
  ASSERT_TRUE(Publish((*daemon)->channel(), events).ok());
  ASSERT_TRUE((*daemon)->Kill().ok());

  AtReady second;
  std::thread second_waiter(wait_ready, &second);
  const absl::Status restarted = (*daemon)->Restart();
  second_waiter.join();
  ASSERT_TRUE(restarted.ok()) << restarted;
  EXPECT_THAT(second.message, ::testing::StartsWith("READY=1\nSTATUS="));
  EXPECT_EQ(second.health, "SERVING") << "READY=1 came before serving";
  EXPECT_EQ(second.events_applied, 51) << "READY=1 came before recovery";

  // STOPPING=1 once SIGTERM starts the drain.
  std::string stopping;
  std::thread stop_waiter(
      [&] { stopping = notify.Receive(absl::Seconds(30)); });
  EXPECT_TRUE((*daemon)->Stop().ok()) << (*daemon)->LogTail();
  stop_waiter.join();
  EXPECT_THAT(stopping, ::testing::StartsWith("STOPPING=1\n"));
}

}  // namespace
}  // namespace depositd::integration
