#include "tests/daemon_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tools/grpc_health_v1.grpc.pb.h"

namespace depositd::integration {

std::string DefaultDaemonBinary() {
  if (const char* env = std::getenv("DEPOSITD_BINARY"); env && *env) {
    return env;
  }
#ifdef DEPOSITD_BINARY
  return DEPOSITD_BINARY;
#else
  return "";
#endif
}

namespace {

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit code ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return absl::StrCat("killed by signal ", WTERMSIG(status), " (",
                        strsignal(WTERMSIG(status)), ")");
  }
  return absl::StrCat("wait status ", status);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DaemonHarness>> DaemonHarness::Start(
    const Options& options) {
  Options opts = options;
  if (opts.binary.empty()) opts.binary = DefaultDaemonBinary();
  if (opts.binary.empty()) {
    return absl::FailedPreconditionError(
        "no depositd binary: build the `depositd` target or set "
        "DEPOSITD_BINARY");
  }
  if (access(opts.binary.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("depositd binary ", opts.binary,
                     " is not executable: ", std::strerror(errno)));
  }
  std::string tmpl = ::testing::TempDir();
  if (tmpl.empty() || tmpl.back() != '/') tmpl += '/';
  tmpl += "depositd-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("mkdtemp ", tmpl, ": ", std::strerror(errno)));
  }
  std::unique_ptr<DaemonHarness> harness(
      new DaemonHarness(std::move(opts), tmpl));
  if (mkdir(harness->data_dir_.c_str(), 0700) != 0) {
    return absl::InternalError(
        absl::StrCat("mkdir ", harness->data_dir_, ": ", std::strerror(errno)));
  }
  if (absl::Status s = harness->Launch(); !s.ok()) return s;
  return harness;
}

DaemonHarness::DaemonHarness(Options options, std::string root)
    : options_(std::move(options)),
      root_(std::move(root)),
      data_dir_(root_ + "/data"),
      port_file_(root_ + "/port"),
      http_port_file_(root_ + "/http_port"),
      log_path_(root_ + "/depositd.log") {}

DaemonHarness::~DaemonHarness() {
  if (running()) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  channel_.reset();
  if (std::getenv("DEPOSITD_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
}

std::string DaemonHarness::http_url() const {
  return absl::StrCat("http://127.0.0.1:", http_port_);
}

absl::Status DaemonHarness::Launch() {
  if (running()) return absl::FailedPreconditionError("already running");
  unlink(port_file_.c_str());
  unlink(http_port_file_.c_str());
  http_port_ = 0;
  ++runs_;
  {
    std::ofstream log(log_path_, std::ios::app);
    log << "=== depositd run " << runs_ << " ===\n";
  }

  std::vector<std::string> args = {options_.binary, "--listen", "127.0.0.1:0",
                                   "--port-file",   port_file_, "--data-dir",
                                   data_dir_};
  if (options_.http) {
    args.insert(args.end(), {"--http-listen", "127.0.0.1:0", "--http-port-file",
                             http_port_file_});
  } else {
    args.push_back("--http-listen=");
  }
  if (!options_.sync.empty()) args.push_back("--sync=" + options_.sync);
  if (options_.test_clock) {
    args.push_back("--test-clock");
    if (!options_.test_clock_start.empty()) {
      args.push_back("--test-clock-start");
      args.push_back(options_.test_clock_start);
    }
  }
  for (const auto& [flag, value] :
       {std::pair{"--token-file", &options_.token_file},
        std::pair{"--tls-cert", &options_.tls_cert},
        std::pair{"--tls-key", &options_.tls_key},
        std::pair{"--tls-client-ca", &options_.tls_client_ca}}) {
    if (value->empty()) continue;
    args.push_back(flag);
    args.push_back(*value);
  }
  args.insert(args.end(), options_.extra_args.begin(),
              options_.extra_args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Built before fork: the child may only make async-signal-safe calls.
  std::vector<std::string> env_storage = options_.env;
  std::vector<char*> envp;
  for (std::string& e : env_storage) envp.push_back(e.data());  // first wins
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  envp.push_back(nullptr);

  const int log_fd =
      open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    return absl::InternalError(
        absl::StrCat("open ", log_path_, ": ", std::strerror(errno)));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(log_fd);
  pid_ = pid;

  // Wait for the port file (written atomically by rename, ending in '\n').
  const absl::Time deadline = absl::Now() + options_.start_timeout;
  int port = 0;
  while (port == 0) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(absl::StrCat(
          "depositd exited during start-up (", DescribeExit(status),
          "); command: ", absl::StrJoin(args, " "), "\nlog:\n", LogTail()));
    }
    std::ifstream in(port_file_);
    std::string text;
    if (in && std::getline(in, text) && !in.eof()) {
      if (!absl::SimpleAtoi(text, &port) || port <= 0 || port > 65535) {
        return absl::InternalError(
            absl::StrCat("bad port file content \"", text, "\""));
      }
      break;
    }
    if (absl::Now() > deadline) {
      return absl::UnavailableError(absl::StrCat(
          "depositd wrote no port file within ",
          absl::FormatDuration(options_.start_timeout), "\nlog:\n", LogTail()));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  address_ = absl::StrCat("127.0.0.1:", port);
  if (options_.http) {
    // Written before the gRPC port file, so it is there by now.
    std::ifstream in(http_port_file_);
    std::string text;
    if (!in || !std::getline(in, text) ||
        !absl::SimpleAtoi(text, &http_port_) || http_port_ <= 0 ||
        http_port_ > 65535) {
      return absl::InternalError(absl::StrCat("no HTTP port in ",
                                              http_port_file_, " (\"", text,
                                              "\")\nlog:\n", LogTail()));
    }
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      tools::MakeClientChannel(address_, options_.client);
  if (!channel.ok()) return channel.status();
  channel_ = *std::move(channel);

  // Then for the health service to say SERVING.
  grpc::health::v1::Health::Stub health(channel_);
  for (;;) {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(
        absl::ToChronoTime(std::min(deadline, absl::Now() + absl::Seconds(1))));
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health.Check(
        &context, grpc::health::v1::HealthCheckRequest(), &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::OkStatus();
    }
    if (absl::Now() > deadline) {
      return absl::UnavailableError(absl::StrCat(
          "depositd at ", address_, " not SERVING within ",
          absl::FormatDuration(options_.start_timeout), ": ",
          status.ok()
              ? "status " +
                    grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                        response.status())
              : status.error_message(),
          "\nlog:\n", LogTail()));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

bool DaemonHarness::WaitForExit(absl::Duration timeout, int* status) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const pid_t r = waitpid(pid_, status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      pid_ = -1;
      return true;
    }
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
}

absl::Status DaemonHarness::Stop(absl::Duration timeout) {
  if (!running()) return absl::FailedPreconditionError("not running");
  channel_.reset();
  kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitForExit(timeout, &status)) {
    kill(pid_, SIGKILL);
    WaitForExit(absl::InfiniteDuration(), &status);
    return absl::DeadlineExceededError(absl::StrCat(
        "depositd did not exit within ", absl::FormatDuration(timeout),
        " of SIGTERM; killed\nlog:\n", LogTail()));
  }
  channel_.reset();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat("depositd stopped with ", DescribeExit(status),
                     " after SIGTERM\nlog:\n", LogTail()));
  }
  return absl::OkStatus();
}

absl::Status DaemonHarness::Kill() {
  if (!running()) return absl::FailedPreconditionError("not running");
  kill(pid_, SIGKILL);
  int status = 0;
  WaitForExit(absl::InfiniteDuration(), &status);
  channel_.reset();
  return absl::OkStatus();
}

absl::Status DaemonHarness::Restart() { return Launch(); }

absl::StatusOr<std::shared_ptr<grpc::Channel>> DaemonHarness::NewChannel(
    const tools::ClientChannelOptions& options) const {
  return tools::MakeClientChannel(address_, options);
}

std::string DaemonHarness::LogTail(int lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  return absl::StrJoin(tail, "\n");
}

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return 0;
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace depositd::integration
