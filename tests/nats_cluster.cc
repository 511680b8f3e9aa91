#include "tests/nats_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace depositd::integration {
namespace {

// A port of 127.0.0.1 free right now (the kernel's choice for port 0).
absl::StatusOr<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string error = std::strerror(errno);
    close(fd);
    return absl::InternalError("free port: " + error);
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// The string value of "key": "value" in a JSON text (first occurrence).
std::string JsonString(absl::string_view json, absl::string_view key) {
  const std::string needle = absl::StrCat("\"", key, "\"");
  size_t at = json.find(needle);
  if (at == absl::string_view::npos) return "";
  at = json.find(':', at + needle.size());
  if (at == absl::string_view::npos) return "";
  at = json.find('"', at);
  if (at == absl::string_view::npos) return "";
  const size_t end = json.find('"', at + 1);
  if (end == absl::string_view::npos) return "";
  return std::string(json.substr(at + 1, end - at - 1));
}

}  // namespace

absl::StatusOr<std::string> HttpGetLocal(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  timeval tv{};
  tv.tv_sec = 2;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const std::string error = std::strerror(errno);
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("connect 127.0.0.1:", port, ": ", error));
  }
  const std::string request =
      absl::StrCat("GET ", path,
                   " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::UnavailableError("send failed");
  }
  std::string response;
  char buffer[4096];
  while (true) {
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) {
    return absl::UnavailableError(
        absl::StrCat("no HTTP answer from 127.0.0.1:", port, path));
  }
  return response.substr(body + 4);
}

absl::StatusOr<std::unique_ptr<NatsCluster>> NatsCluster::Start(
    const Options& options) {
  if (options.servers < 1) {
    return absl::InvalidArgumentError("NatsCluster needs at least 1 server");
  }
  std::unique_ptr<NatsCluster> cluster(new NatsCluster());
  cluster->options_ = options;
  if (cluster->options_.binary.empty()) {
    cluster->options_.binary = DEPOSITD_NATS_SERVER;
  }
  std::string dir = ::testing::TempDir();
  if (dir.empty() || dir.back() != '/') dir += '/';
  dir += "depositd-nats-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("mkdtemp ", dir, ": ", std::strerror(errno)));
  }
  cluster->dir_ = dir;

  cluster->servers_.resize(options.servers);
  for (int i = 0; i < options.servers; ++i) {
    Server& server = cluster->servers_[i];
    server.name = absl::StrCat("n", i + 1);
    for (int* port :
         {&server.client_port, &server.route_port, &server.http_port}) {
      absl::StatusOr<int> free = FreePort();
      if (!free.ok()) return free.status();
      *port = *free;
    }
    server.config_path = absl::StrCat(dir, "/", server.name, ".conf");
    server.log_path = absl::StrCat(dir, "/", server.name, ".log");
  }
  std::vector<std::string> routes;
  for (const Server& server : cluster->servers_) {
    routes.push_back(
        absl::StrCat("nats-route://127.0.0.1:", server.route_port));
  }
  for (const Server& server : cluster->servers_) {
    std::ofstream config(server.config_path);
    config << "server_name: " << server.name << "\n"
           << "listen: 127.0.0.1:" << server.client_port << "\n"
           << "http: 127.0.0.1:" << server.http_port << "\n"
           << "jetstream {\n  store_dir: \"" << dir << "/" << server.name
           << "-store\"\n  max_memory_store: 64MB\n  max_file_store: 1GB\n}\n";
    if (options.servers > 1) {
      config << "cluster {\n  name: depositd-test\n  listen: 127.0.0.1:"
             << server.route_port << "\n  routes: [\n    "
             << absl::StrJoin(routes, ",\n    ") << "\n  ]\n}\n";
    }
    if (!config) {
      return absl::InternalError("cannot write " + server.config_path);
    }
  }
  for (int i = 0; i < options.servers; ++i) {
    if (absl::Status s = cluster->Spawn(i); !s.ok()) return s;
  }
  for (int i = 0; i < options.servers; ++i) {
    if (absl::Status s = cluster->WaitForMonitoring(i, options.start_timeout);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = cluster->WaitForMetaLeader(options.start_timeout);
      !s.ok()) {
    return s;
  }
  return cluster;
}

NatsCluster::~NatsCluster() {
  for (Server& server : servers_) {
    if (server.pid > 0) {
      kill(server.pid, SIGKILL);
      waitpid(server.pid, nullptr, 0);
      server.pid = -1;
    }
  }
  if (!dir_.empty() && std::getenv("DEPOSITD_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string NatsCluster::url(int i) const {
  return absl::StrCat("nats://127.0.0.1:", servers_[i].client_port);
}

std::vector<std::string> NatsCluster::urls() const {
  std::vector<std::string> out;
  for (int i = 0; i < size(); ++i) out.push_back(url(i));
  return out;
}

absl::Status NatsCluster::Spawn(int i) {
  Server& server = servers_[i];
  std::vector<std::string> args = {options_.binary, "-c", server.config_path};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log_fd = open(server.log_path.c_str(),
                          O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    return absl::InternalError(
        absl::StrCat("open ", server.log_path, ": ", std::strerror(errno)));
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
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  server.pid = pid;
  return absl::OkStatus();
}

absl::Status NatsCluster::WaitForMonitoring(int i, absl::Duration timeout) {
  Server& server = servers_[i];
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    if (waitpid(server.pid, &status, WNOHANG) == server.pid) {
      server.pid = -1;
      return absl::UnavailableError(absl::StrCat(
          "nats-server ", server.name, " exited during start-up (status ",
          status, ")\nlog:\n", LogTail(i)));
    }
    if (HttpGetLocal(server.http_port, "/varz").ok()) return absl::OkStatus();
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "nats-server ", server.name, " did not serve /varz within ",
          absl::FormatDuration(timeout), "\nlog:\n", LogTail(i)));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

std::string NatsCluster::MetaLeader(int i) const {
  absl::StatusOr<std::string> jsz = HttpGetLocal(servers_[i].http_port, "/jsz");
  if (!jsz.ok()) return "";
  if (size() == 1) {
    // A single server has no meta group; it leads itself once healthy.
    absl::StatusOr<std::string> health =
        HttpGetLocal(servers_[i].http_port, "/healthz");
    return health.ok() && absl::StrContains(*health, "\"ok\"")
               ? servers_[i].name
               : "";
  }
  return JsonString(*jsz, "leader");
}

absl::Status NatsCluster::WaitForMetaLeader(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    bool all = true;
    std::string seen;
    for (int i = 0; i < size() && all; ++i) {
      if (!running(i)) continue;
      const std::string leader = MetaLeader(i);
      if (leader.empty() || (!seen.empty() && leader != seen)) all = false;
      seen = leader;
      absl::StatusOr<std::string> health =
          HttpGetLocal(servers_[i].http_port, "/healthz");
      if (!health.ok() || !absl::StrContains(*health, "\"ok\"")) all = false;
    }
    if (all && !seen.empty()) return absl::OkStatus();
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "JetStream has no meta leader after ", absl::FormatDuration(timeout),
          "\nlog of n1:\n", LogTail(0)));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
}

absl::Status NatsCluster::Kill(int i) {
  Server& server = servers_[i];
  if (server.pid <= 0) {
    return absl::FailedPreconditionError(server.name + " is not running");
  }
  kill(server.pid, SIGKILL);
  waitpid(server.pid, nullptr, 0);
  server.pid = -1;
  return absl::OkStatus();
}

absl::Status NatsCluster::Restart(int i) {
  if (servers_[i].pid > 0) {
    return absl::FailedPreconditionError(servers_[i].name +
                                         " is still running");
  }
  if (absl::Status s = Spawn(i); !s.ok()) return s;
  return WaitForMonitoring(i, options_.start_timeout);
}

std::string NatsCluster::LogTail(int i) const {
  std::ifstream in(servers_[i].log_path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  std::vector<absl::string_view> lines = absl::StrSplit(all, '\n');
  const size_t keep = 30;
  if (lines.size() > keep) lines.erase(lines.begin(), lines.end() - keep);
  return absl::StrJoin(lines, "\n");
}

}  // namespace depositd::integration
