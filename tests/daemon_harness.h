// DaemonHarness: starts the real depositd binary for integration and crash
// tests, and always stops it.
//
// Each harness owns a fresh temporary folder holding the daemon's data
// directory, its port file and its log (stdout and stderr of every run, so a
// failing test can print what the daemon said). The daemon listens on
// 127.0.0.1 with a port chosen by the kernel (--listen 127.0.0.1:0
// --port-file); Start() returns once the port file exists and the standard
// health service answers SERVING. The HTTP edge listens likewise on a port
// of the kernel's choice (--http-listen 127.0.0.1:0 --http-port-file; see
// http_port()), or not at all with Options::http false: never on the
// default port, so parallel tests do not collide.
//
//   DaemonHarness::Options options;
//   options.test_clock_start = "2026-03-05T00:00:00Z";
//   absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
//       DaemonHarness::Start(options);
//   ASSERT_TRUE(daemon.ok()) << daemon.status();
//   auto stub = v1::Readiness::NewStub((*daemon)->channel());
//   ...
//   EXPECT_TRUE((*daemon)->Stop().ok());   // SIGTERM, expects exit 0
//   ASSERT_TRUE((*daemon)->Restart().ok());  // same data directory
//
// The destructor SIGKILLs a daemon still running (a failed ASSERT never
// leaks a process), and the child also gets SIGKILL if the test process
// dies (PR_SET_PDEATHSIG). The folder is removed unless the environment
// sets DEPOSITD_KEEP_TEST_DIRS.
//
// Thread-safety: not thread-safe; one test thread drives it. channel() may be
// used from any thread.
#ifndef DEPOSITD_TESTS_DAEMON_HARNESS_H_
#define DEPOSITD_TESTS_DAEMON_HARNESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "tools/client_channel.h"

namespace depositd::integration {

// The depositd binary this build tests, or empty when the build has none.
std::string DefaultDaemonBinary();

class DaemonHarness {
 public:
  struct Options {
    // Path of the depositd executable; empty: DefaultDaemonBinary().
    std::string binary;
    // --sync value: "os" (fast, for tests where fsync is not the point) or
    // "fsync" (the daemon's default; crash tests). Empty: flag not passed.
    std::string sync = "os";
    // Start with --test-clock (and --test-clock-start when set).
    bool test_clock = true;
    std::string test_clock_start = "2026-03-05T00:00:00Z";
    // Serve the HTTP edge on 127.0.0.1:0 (true) or turn it off
    // (--http-listen=).
    bool http = true;
    // More flags, e.g. {"--config", path}.
    std::vector<std::string> extra_args;
    // More environment for the daemon, "NAME=VALUE" each (e.g. LD_PRELOAD
    // of a fault-injection shim); added to the test's own environment.
    std::vector<std::string> env;
    // How long to wait for the port file and SERVING.
    absl::Duration start_timeout = absl::Seconds(60);
    // Security flags, each passed when set: --token-file, --tls-cert,
    // --tls-key, --tls-client-ca.
    std::string token_file;
    std::string tls_cert;
    std::string tls_key;
    std::string tls_client_ca;
    // How channel() (and the start-up health check) connects: a token on
    // every call, TLS trust, a client certificate. Default: plaintext, no
    // token.
    tools::ClientChannelOptions client;
  };

  // Creates the folder and starts the daemon. FAILED_PRECONDITION when no
  // binary is known; UNAVAILABLE (with the daemon's log tail) when it exits
  // or does not serve in time.
  static absl::StatusOr<std::unique_ptr<DaemonHarness>> Start(
      const Options& options);

  ~DaemonHarness();
  DaemonHarness(const DaemonHarness&) = delete;
  DaemonHarness& operator=(const DaemonHarness&) = delete;

  // SIGTERM, then waits up to `timeout` for the exit. OK only on exit code
  // 0; otherwise INTERNAL describing the exit (and the log tail). After a
  // timeout the daemon is SIGKILLed and DEADLINE_EXCEEDED returned.
  absl::Status Stop(absl::Duration timeout = absl::Seconds(30));

  // SIGKILL and reap: a crash. OK unless nothing was running.
  absl::Status Kill();

  // Starts the daemon again on the same data directory (after Stop or
  // Kill), with the same options. Same failures as Start.
  absl::Status Restart();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // "127.0.0.1:PORT" of the current run.
  const std::string& address() const { return address_; }
  // The HTTP edge's port of the current run (0 with Options::http false),
  // and "http://127.0.0.1:PORT".
  int http_port() const { return http_port_; }
  std::string http_url() const;
  // A channel to the current run (new after each Restart).
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // Another channel to the current run, e.g. with another token or
  // without TLS. Errors: MakeClientChannel's.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> NewChannel(
      const tools::ClientChannelOptions& options) const;
  const std::string& data_dir() const { return data_dir_; }
  const std::string& log_path() const { return log_path_; }

  // The last `lines` lines of the daemon's log, for failure messages.
  std::string LogTail(int lines = 40) const;

 private:
  DaemonHarness(Options options, std::string root);
  absl::Status Launch();
  // Waits for the child with a deadline; true with *status set when it
  // exited, false on timeout.
  bool WaitForExit(absl::Duration timeout, int* status);

  Options options_;
  std::string root_;
  std::string data_dir_;
  std::string port_file_;
  std::string http_port_file_;
  int http_port_ = 0;
  std::string log_path_;
  pid_t pid_ = -1;
  int runs_ = 0;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A loopback port that was free a moment ago (the kernel's pick for port 0,
// released), for a helper process that cannot report the port it chose
// (Prometheus, Alertmanager); 0 if none could be had. Another process may
// take it in between: the caller's start fails and says so.
int FreeLoopbackPort();

}  // namespace depositd::integration

#endif  // DEPOSITD_TESTS_DAEMON_HARNESS_H_
