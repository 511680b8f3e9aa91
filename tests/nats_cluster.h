// NatsCluster: real nats-server processes with JetStream for the cluster
// tests (label "cluster"), started and always stopped by the test.
//
// Start() runs 1 server (JetStream alone) or N servers forming a cluster
// with routes, each on free ports of 127.0.0.1 (client, cluster route and
// HTTP monitoring), each with its own store directory inside a fresh
// temporary folder, and returns once JetStream has a meta leader (polled on
// the monitoring endpoint /jsz; /healthz for a single server). Kill(i)
// SIGKILLs one server (kill -9: no flush, no goodbye); Restart(i) starts it
// again on the same ports and store. The destructor SIGKILLs every server
// still running and removes the folder (unless DEPOSITD_KEEP_TEST_DIRS is
// set); the servers also get SIGKILL if the test process dies
// (PR_SET_PDEATHSIG), so a failed ASSERT never leaks a process.
//
//   absl::StatusOr<std::unique_ptr<NatsCluster>> nats = NatsCluster::Start({});
//   ASSERT_TRUE(nats.ok()) << nats.status();
//   ... (*nats)->urls() ...
//   ASSERT_TRUE((*nats)->Kill(1).ok());
//
// Thread-safety: not thread-safe; one test thread drives it.
#ifndef DEPOSITD_TESTS_NATS_CLUSTER_H_
#define DEPOSITD_TESTS_NATS_CLUSTER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace depositd::integration {

class NatsCluster {
 public:
  struct Options {
    // 1: a single server; 3 (or more): a cluster with routes.
    int servers = 3;
    // Path of nats-server; empty: the one this build found.
    std::string binary;
    // How long Start() and WaitForMetaLeader() wait by default.
    absl::Duration start_timeout = absl::Seconds(30);
  };

  static absl::StatusOr<std::unique_ptr<NatsCluster>> Start(
      const Options& options);
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  int size() const { return static_cast<int>(servers_.size()); }
  // nats://127.0.0.1:PORT of server i.
  std::string url(int i) const;
  // Every server's url, in order.
  std::vector<std::string> urls() const;
  bool running(int i) const { return servers_[i].pid > 0; }

  // SIGKILL server i and reap it.
  absl::Status Kill(int i);
  // Start server i again (same ports, same store); returns once its
  // monitoring endpoint answers. It may still be catching up: wait for
  // WaitForMetaLeader() or for what the test needs.
  absl::Status Restart(int i);
  // Waits until JetStream answers healthy with a meta leader, as seen by
  // every running server.
  absl::Status WaitForMetaLeader(absl::Duration timeout);
  // The meta leader's server name as server i sees it ("" when none).
  std::string MetaLeader(int i) const;
  // The last lines of server i's log (for failure messages).
  std::string LogTail(int i) const;

 private:
  struct Server {
    std::string name;
    int client_port = 0;
    int route_port = 0;
    int http_port = 0;
    std::string config_path;
    std::string log_path;
    pid_t pid = -1;
  };
  NatsCluster() = default;
  absl::Status Spawn(int i);
  absl::Status WaitForMonitoring(int i, absl::Duration timeout);

  Options options_;
  std::string dir_;
  std::vector<Server> servers_;
};

// GET http://127.0.0.1:port/path: the body, or an error. For monitoring
// endpoints; a short timeout.
absl::StatusOr<std::string> HttpGetLocal(int port, const std::string& path);

}  // namespace depositd::integration

#endif  // DEPOSITD_TESTS_NATS_CLUSTER_H_
