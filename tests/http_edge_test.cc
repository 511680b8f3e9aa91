// The HTTP edge of the real depositd binary: /metrics after an ingest (and
// `promtool check metrics` on it), a real Prometheus scraping it with a
// bearer token, the probes while serving, draining and with a full disk,
// the token rules, and the refusal of a non-loopback --http-listen
// without a token file.
//
// TLS: the edge on HTTPS with gRPC's certificate (made at test time by the
// `openssl` command), beyond loopback with a token file.
//
// Needs the Debian `prometheus` package (promtool, prometheus): install the
// test dependencies with DEPOSITD_TEST_DEPS=1 deploy/install-deps.sh.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/auth.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/http_test_client.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"
#include "tools/grpc_health_v1.grpc.pb.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using HttpResult = HttpTestResult;

// GET `url`, with `authorization` as the header's value when set; an
// https:// URL is verified against `ca_file` (the server's name too:
// 127.0.0.1 is in the test certificate).
HttpResult Get(const std::string& url, const std::string& authorization = "",
               const std::string& ca_file = "") {
  if (authorization.empty()) return HttpGet(url, {}, ca_file);
  return HttpGet(url, {{"Authorization", authorization}}, ca_file);
}

std::string Bearer(const std::string& token) { return "Bearer " + token; }

std::string TokenLine(const std::string& token, const std::string& rest) {
  return absl::StrCat("sha256:", daemon::Sha256Hex(token), " ", rest, "\n");
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Three applied events for one shop.
std::vector<v1::Event> ThreeEvents() {
  ShopEvents shop("acme", "http-shop");
  return {
      shop.Registered("h-1", "2026-03-01T00:00:00Z", "generic", "CN"),
      shop.DepositPaid("h-2", "2026-03-01T01:00:00Z", "pay-1", 50000, "CNY",
                       "alipay", "acct-1"),
      shop.ClosureRequested("h-3", "2026-03-02T00:00:00Z"),
  };
}

constexpr char kOps[] = "ops-token-0123456789";
constexpr char kFeed[] = "feed-token-0123456789";
constexpr char kAcme[] = "acme-token-0123456789";

// ops: tenant=* read (may scrape); feed: tenant=* ingest only; acme: one
// tenant's reader.
std::string WriteTokens(const ScopedTempDir& dir) {
  return WriteFile(dir.path(), "tokens",
                   TokenLine(kOps, "tenant=* roles=read name=prometheus") +
                       TokenLine(kFeed, "tenant=* roles=ingest name=feed") +
                       TokenLine(kAcme, "tenant=acme roles=read name=acme"));
}

TEST(HttpEdgeTest, MetricsAfterIngestPassPromtool) {
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start({});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_GT((*daemon)->http_port(), 0);
  absl::StatusOr<v1::IngestAck> ack =
      Publish((*daemon)->channel(), ThreeEvents());
  ASSERT_TRUE(ack.ok()) << ack.status();
  // The same events again: all duplicates.
  ASSERT_TRUE(Publish((*daemon)->channel(), ThreeEvents(), 2).ok());

  const HttpResult r = Get((*daemon)->http_url() + "/metrics");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(r.body,
              HasSubstr("depositd_events_total{outcome=\"applied\"} 3\n"));
  EXPECT_THAT(r.body,
              HasSubstr("depositd_events_total{outcome=\"duplicate\"} 3\n"));
  EXPECT_THAT(r.body, HasSubstr("depositd_shops{state=\"live\"} 1\n"));
  EXPECT_THAT(r.body, HasSubstr("depositd_build_info{revision=\""));
  EXPECT_THAT(r.body, HasSubstr("process_resident_memory_bytes "));
  EXPECT_THAT(r.body, HasSubstr("depositd_store_writable 1\n"));
  EXPECT_THAT(r.body, Not(HasSubstr("acme")));  // no tenant in metrics
  // The hot-path figures: two batches acknowledged, each with its latency.
  EXPECT_THAT(r.body, HasSubstr("depositd_batches_total 2\n"));
  EXPECT_THAT(r.body, HasSubstr("depositd_ack_latency_seconds_count 2\n"));
  EXPECT_THAT(
      r.body,
      HasSubstr("depositd_ack_latency_seconds_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_THAT(r.body, HasSubstr("depositd_commit_fsync_seconds_count "));
  EXPECT_THAT(r.body,
              HasSubstr("depositd_commit_group_events_bucket{le=\"5\"} "));
  EXPECT_THAT(r.body, HasSubstr("depositd_log_bytes_not_checkpointed "));
  EXPECT_THAT(r.body, HasSubstr("depositd_checkpoint_round_seconds_count "));
  EXPECT_THAT(r.body, HasSubstr("depositd_deadline_lateness_seconds_count "));
  EXPECT_THAT(r.body, HasSubstr("depositd_admission_rejections_total{reason="
                                "\"store_unwritable\"} 0\n"));
  EXPECT_THAT(r.body, HasSubstr("depositd_watch_subscribers 0\n"));

  ScopedTempDir dir("http-edge");
  const std::string file = WriteFile(dir.path(), "metrics.txt", r.body);
  const std::string out = dir.path() + "/promtool.txt";
  const int rc = std::system(
      absl::StrCat("promtool check metrics < '", file, "' > '", out, "' 2>&1")
          .c_str());
  EXPECT_EQ(rc, 0) << "promtool check metrics:\n" << ReadText(out);
  EXPECT_TRUE((*daemon)->Stop().ok());
}

TEST(HttpEdgeTest, ProbesWhileServingAndDraining) {
  DaemonHarness::Options options;
  // Stays not-ready after the first SIGTERM until a second one.
  options.extra_args = {"--drain-delay-seconds", "120"};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const std::string url = (*daemon)->http_url();
  HttpResult live = Get(url + "/livez");
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.body, "alive: serving\n");
  HttpResult ready = Get(url + "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  EXPECT_EQ(Get(url + "/nothing-here").status, 404);

  ASSERT_EQ(kill((*daemon)->pid(), SIGTERM), 0);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (ready.status == 200 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
    ready = Get(url + "/readyz");
  }
  EXPECT_EQ(ready.status, 503);
  EXPECT_THAT(ready.body, HasSubstr("draining"));
  live = Get(url + "/livez");
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.body, "alive: draining\n");
  // gRPC health says the same.
  grpc::health::v1::Health::Stub health((*daemon)->channel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status =
      health.Check(&context, grpc::health::v1::HealthCheckRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  // The second SIGTERM ends the delay; the drain exits 0.
  EXPECT_TRUE((*daemon)->Stop().ok()) << (*daemon)->LogTail();
}

TEST(HttpEdgeTest, TokensGuardEverythingButProbes) {
  ScopedTempDir dir("http-edge");
  DaemonHarness::Options options;
  options.token_file = WriteTokens(dir);
  options.client.token = kOps;
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const std::string url = (*daemon)->http_url();

  EXPECT_EQ(Get(url + "/livez").status, 200);
  EXPECT_EQ(Get(url + "/readyz").status, 200);

  HttpResult r = Get(url + "/metrics");
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.www_authenticate, HasSubstr("Bearer"));
  EXPECT_THAT(r.body, HasSubstr("Bearer <token>"));
  r = Get(url + "/metrics", Bearer("not-a-token"));
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, Not(HasSubstr("not-a-token")));  // never echoed
  EXPECT_EQ(Get(url + "/metrics", "Basic b3BzOm9wcw==").status, 401);

  r = Get(url + "/metrics", Bearer(kFeed));  // tenant=*, no read role
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("needs tenant=* and role read or admin"));
  r = Get(url + "/metrics", Bearer(kAcme));  // read, one tenant
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("tenant=acme"));

  r = Get(url + "/metrics", Bearer(kOps));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("depositd_events_total"));
  // Unknown paths: authentication first, so nothing is learnt without it.
  EXPECT_EQ(Get(url + "/no-such-page/").status, 401);
  EXPECT_EQ(Get(url + "/no-such-page/", Bearer(kOps)).status, 404);
  // The console's static pages hold no data (they sign in through
  // /api/v1): served without a token; the API itself is not.
  EXPECT_EQ(Get(url + "/console/").status, 200);
  EXPECT_EQ(Get(url + "/api/v1/shops").status, 401);
  EXPECT_TRUE((*daemon)->Stop().ok());
}

TEST(HttpEdgeTest, NonLoopbackHttpListenWithoutTokensIsRefused) {
  for (const std::string listen : {"0.0.0.0:0", "[::]:0", "192.0.2.1:0"}) {
    SCOPED_TRACE(listen);
    DaemonHarness::Options options;
    options.http = false;  // then the flag below, which wins (last one)
    options.extra_args = {"--http-listen", listen};
    options.start_timeout = absl::Seconds(20);
    absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
        DaemonHarness::Start(options);
    ASSERT_FALSE(daemon.ok());
    EXPECT_THAT(daemon.status().message(),
                HasSubstr("exited during start-up (exit code 1"));
    EXPECT_THAT(daemon.status().message(),
                HasSubstr("refusing to listen on " + listen +
                          " (--http-listen) without authentication"));
  }
}

// A throwaway CA and a server certificate for 127.0.0.1 signed by it, and
// a second CA that signed nothing here, made with the `openssl` command.
struct TlsFiles {
  std::string ca, other_ca, cert, key;
};

absl::StatusOr<TlsFiles> MakeTlsFiles(const std::string& dir) {
  const std::string ec =
      "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  std::ofstream(dir + "/server.ext")
      << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
         "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
  for (const std::string& cmd : {
           absl::StrCat("req -x509 ", ec, " -days 2 -subj /CN=edge-test-ca ",
                        "-keyout ca.key -out ca.pem"),
           absl::StrCat("req -x509 ", ec, " -days 2 -subj /CN=edge-other-ca ",
                        "-keyout other-ca.key -out other-ca.pem"),
           absl::StrCat("req ", ec, " -subj /CN=server -keyout server.key ",
                        "-out server.csr"),
           std::string("x509 -req -days 2 -in server.csr -CA ca.pem -CAkey "
                       "ca.key -CAcreateserial -extfile server.ext -out "
                       "server.pem"),
       }) {
    const std::string line =
        absl::StrCat("cd '", dir, "' && openssl ", cmd, " >>openssl.log 2>&1");
    if (std::system(line.c_str()) != 0) {
      return absl::InternalError(
          absl::StrCat("`openssl ", cmd, "` failed (is openssl installed?): ",
                       ReadText(dir + "/openssl.log")));
    }
  }
  return TlsFiles{dir + "/ca.pem", dir + "/other-ca.pem", dir + "/server.pem",
                  dir + "/server.key"};
}

// With --tls-cert the HTTP edge serves HTTPS with gRPC's certificate, so it
// may listen beyond loopback (with a token file): a client trusting the CA
// scrapes, plain HTTP to the port gets nothing, a client trusting another
// CA refuses the server.
TEST(HttpEdgeTest, TlsEdgeOnANonLoopbackAddressWithTokens) {
  ScopedTempDir dir;
  absl::StatusOr<TlsFiles> tls = MakeTlsFiles(dir.path());
  ASSERT_TRUE(tls.ok()) << tls.status();
  DaemonHarness::Options options;
  options.token_file = WriteTokens(dir);
  options.tls_cert = tls->cert;
  options.tls_key = tls->key;
  options.client.tls_ca_file = tls->ca;
  options.client.token = kOps;
  options.extra_args = {"--http-listen", "0.0.0.0:0"};  // the last one wins
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const std::string https =
      absl::StrCat("https://127.0.0.1:", (*daemon)->http_port());

  const HttpResult live = Get(https + "/livez", "", tls->ca);
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.body, "alive: serving\n");
  const HttpResult metrics = Get(https + "/metrics", Bearer(kOps), tls->ca);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("depositd_build_info{"));
  EXPECT_EQ(Get(https + "/metrics", "", tls->ca).status, 401);

  const HttpResult plain =
      Get(absl::StrCat("http://127.0.0.1:", (*daemon)->http_port(), "/livez"));
  EXPECT_EQ(plain.status, 0) << plain.body;
  EXPECT_EQ(Get(https + "/livez", "", tls->other_ca).status, 0);
  EXPECT_TRUE((*daemon)->Stop().ok());
}

// A full disk (tests/fault_inject/enospc_shim.cc preloaded: while the
// trigger file exists, the daemon's file writes fail with ENOSPC) makes
// /readyz 503 naming the store and depositd_store_writable 0; both recover
// by themselves when space returns.
TEST(HttpEdgeTest, ReadyzFollowsTheStoreThroughADiskFull) {
  ScopedTempDir dir("http-edge");
  const std::string trigger = dir.path() + "/disk-full";
  DaemonHarness::Options options;
  options.env = {std::string("LD_PRELOAD=") + DEPOSITD_ENOSPC_SHIM,
                 "DEPOSITD_FAULT_ENOSPC_TRIGGER=" + trigger};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const std::string url = (*daemon)->http_url();
  ASSERT_EQ(Get(url + "/readyz").status, 200);

  WriteFile(dir.path(), "disk-full", "full\n");
  // This batch's write fails and is retried; its ack waits for space.
  absl::StatusOr<v1::IngestAck> ack;
  std::thread publisher(
      [&] { ack = Publish((*daemon)->channel(), ThreeEvents()); });
  HttpResult ready;
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  do {
    ready = Get(url + "/readyz");
    if (ready.status == 503) break;
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < deadline);
  EXPECT_EQ(ready.status, 503);
  EXPECT_THAT(ready.body, HasSubstr("store not writable"));
  EXPECT_EQ(Get(url + "/livez").status, 200);
  EXPECT_THAT(Get(url + "/metrics").body,
              HasSubstr("depositd_store_writable 0\n"));

  unlink(trigger.c_str());
  deadline = absl::Now() + absl::Seconds(60);
  do {
    ready = Get(url + "/readyz");
    if (ready.status == 200) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  EXPECT_EQ(ready.status, 200) << ready.body;
  publisher.join();
  EXPECT_TRUE(ack.ok()) << ack.status();
  EXPECT_THAT(Get(url + "/metrics").body,
              HasSubstr("depositd_store_writable 1\n"));
  EXPECT_TRUE((*daemon)->Stop().ok()) << (*daemon)->LogTail();
}

// /usr/bin/prometheus on loopback with its data in `dir`; SIGKILLed in the
// destructor and when the test process dies. Not thread-safe.
class Prometheus {
 public:
  static absl::StatusOr<std::unique_ptr<Prometheus>> Start(
      const std::string& dir, const std::string& config_yaml) {
    if (access(PROMETHEUS_BINARY, X_OK) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(PROMETHEUS_BINARY,
                       " is missing: install the test dependencies with "
                       "DEPOSITD_TEST_DEPS=1 deploy/install-deps.sh"));
    }
    std::unique_ptr<Prometheus> p(new Prometheus());
    p->port_ = FreeLoopbackPort();
    p->log_ = dir + "/prometheus.log";
    const std::string config = WriteFile(dir, "prometheus.yml", config_yaml);
    std::vector<std::string> args = {
        PROMETHEUS_BINARY,
        "--config.file=" + config,
        "--storage.tsdb.path=" + dir + "/prometheus-data",
        absl::StrCat("--web.listen-address=127.0.0.1:", p->port_),
        "--log.level=info",
    };
    const pid_t pid = fork();
    if (pid < 0) return absl::InternalError("fork failed");
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int fd = open(p->log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    p->pid_ = pid;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        p->pid_ = -1;
        return absl::UnavailableError(
            absl::StrCat("prometheus exited at start:\n", ReadText(p->log_)));
      }
      if (Get(p->Url("/-/ready")).status == 200) return p;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return absl::UnavailableError(
        absl::StrCat("prometheus not ready within 60 s:\n", ReadText(p->log_)));
  }

  ~Prometheus() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }

  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  std::string Log() const { return ReadText(log_); }

 private:
  Prometheus() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
};

TEST(HttpEdgeTest, RealPrometheusScrapesWithABearerToken) {
  ScopedTempDir dir("http-edge");
  DaemonHarness::Options options;
  options.token_file = WriteTokens(dir);
  options.client.token = kOps;
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  tools::ClientChannelOptions feed;
  feed.token = kFeed;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ingest =
      (*daemon)->NewChannel(feed);
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  absl::StatusOr<v1::IngestAck> ack = Publish(*ingest, ThreeEvents());
  ASSERT_TRUE(ack.ok()) << ack.status();

  const std::string token_path =
      WriteFile(dir.path(), "prometheus-token", kOps);
  absl::StatusOr<std::unique_ptr<Prometheus>> prometheus = Prometheus::Start(
      dir.path(), absl::StrCat("global:\n"
                               "  scrape_interval: 1s\n"
                               "  scrape_timeout: 1s\n"
                               "scrape_configs:\n"
                               "  - job_name: depositd\n"
                               "    authorization:\n"
                               "      type: Bearer\n"
                               "      credentials_file: ",
                               token_path,
                               "\n"
                               "    static_configs:\n"
                               "      - targets: ['127.0.0.1:",
                               (*daemon)->http_port(), "']\n"));
  ASSERT_TRUE(prometheus.ok()) << prometheus.status();

  // Poll the query API until a scrape has landed (1 s interval).
  const std::string query =
      (*prometheus)
          ->Url(
              "/api/v1/query?query=depositd_events_total%7Boutcome%3D%22"
              "applied%22%7D");
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  HttpResult r;
  while (absl::Now() < deadline) {
    r = Get(query);
    if (r.status == 200 && r.body.find("\"3\"]") != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_THAT(r.body, HasSubstr("\"__name__\":\"depositd_events_total\""))
      << (*prometheus)->Log();
  EXPECT_THAT(r.body, HasSubstr("\"job\":\"depositd\""));
  EXPECT_THAT(r.body, HasSubstr("\"3\"]")) << (*prometheus)->Log();
  // The target is up: the token was accepted (a 401 would make up 0).
  const HttpResult up = Get((*prometheus)->Url("/api/v1/query?query=up"));
  EXPECT_THAT(up.body, HasSubstr("\"1\"]")) << up.body;
  EXPECT_TRUE((*daemon)->Stop().ok());
}

}  // namespace
}  // namespace depositd::integration
