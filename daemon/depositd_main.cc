// depositd: the daemon process. Flags, configuration, the engine, the gRPC
// server, signals. See engine.h for the threads and recovery, store.h for
// the on-disk layout.
//
//   depositd --listen 127.0.0.1:50051 --data-dir ./var/depositd \
//            --config depositd.textproto [--sync=fsync|os] [--test-clock]
//            [--test-clock-start RFC3339] [--shards N]
//            [--checkpoint-interval-seconds N] [--dedupe-window-days N]
//            [--port-file PATH] [--token-file FILE]
//            [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]
//            [--http-listen 127.0.0.1:9474] [--http-port-file PATH]
//            [--drain-delay-seconds N] [--log-format=text|json]
//            [--log-level=debug|info|warning|error]
//            [--cluster-nats URLS --cluster-node-id ID
//             [--cluster-partitions P] [--cluster-replicas R]]
//   depositd --version
//
// The HTTP edge (--http-listen, daemon/http_edge.h) serves /metrics,
// /livez, /readyz, the console (/console/) and its JSON API (/api/v1/); it
// follows the same token and loopback rules as gRPC and serves HTTPS with
// gRPC's certificate when --tls-cert is given.
//
// Without --token-file authentication is off and depositd serves loopback
// only (a non-loopback --listen is refused unless
// --insecure-listen-without-auth). See daemon/auth.h for the token file.
//
// Flag names may be written with dashes or underscores. SIGTERM / SIGINT:
// stop accepting, finish acking what was read, drain, final checkpoint, exit
// 0. SIGHUP: re-read --config and apply it (daemon/config_reload.h; a bad
// file changes nothing and is logged with FILE:LINE). Startup errors
// are one line on stderr and a non-zero exit. Logs: daemon/log.h; under
// systemd (Type=notify) READY=1 after recovery, STOPPING=1 on the drain
// (daemon/sd_notify.h).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/api_router.h"
#include "daemon/auth.h"
#include "daemon/build_info.h"
#include "daemon/cluster_node.h"
#include "daemon/config_loader.h"
#include "daemon/config_reload.h"
#include "daemon/config_sinks.h"
#include "daemon/console_handler.h"
#include "daemon/engine.h"
#include "daemon/engine_clock.h"
#include "daemon/feed_config.h"
#include "daemon/feed_receivers.h"
#include "daemon/health_state.h"
#include "daemon/http_edge.h"
#ifdef DEPOSITD_HAVE_CONSOLE_ASSETS
#include "console/console_assets.h"
#endif
#include "daemon/listen_guard.h"
#include "daemon/log.h"
#include "daemon/log_throttle.h"
#include "daemon/metrics_collector.h"
#include "daemon/private_dir.h"
#include "daemon/sd_notify.h"
#include "daemon/services.h"
#include "daemon/sink_dispatcher.h"
#include "daemon/tls.h"
#include "google/protobuf/stubs/logging.h"
#include "grpc/support/log.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "notifier/routing.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "tools/flag_names.h"
#include "watchers/profiles.h"

// jemalloc (linked into depositd when found, see daemon/CMakeLists.txt)
// reads its options from this symbol: a background thread returns pages
// left empty for a second (dirty_decay_ms) straight to the system
// (muzzy_decay_ms 0), so the resident size follows what is in use, e.g.
// after idle shops are packed. Without jemalloc the symbol is unused.
extern "C" {
const char* malloc_conf =
    "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
}

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "Address to serve gRPC on, host:port. Port 0 picks a free port "
          "(see --port-file).");
ABSL_FLAG(std::string, data_dir, "./var/depositd",
          "Data directory (RocksDB: event log, checkpoints, alert log). One "
          "depositd per directory.");
ABSL_FLAG(std::string, config, "",
          "Configuration file (protobuf text format, depositd.v1.DaemonConfig)."
          " Empty: built-in platform profiles only. Re-read and applied on "
          "SIGHUP and Admin.ReloadConfig (a bad file changes nothing).");
ABSL_FLAG(std::string, sync, "fsync",
          "Durability before an ack: 'fsync' (default) fsyncs the write-ahead "
          "log, surviving power loss; 'os' only writes it to the OS, "
          "surviving a depositd crash (kill -9) but NOT a power loss or "
          "kernel crash.");
ABSL_FLAG(bool, test_clock, false,
          "Use a test clock moved only by Admin.SetTestClock / "
          "AdvanceTestClock (for tests and demos). Never in production.");
ABSL_FLAG(std::string, test_clock_start, "",
          "With --test-clock: start time, RFC 3339 (e.g. "
          "2026-01-01T00:00:00Z). Default: the wall clock.");
ABSL_FLAG(int32_t, shards, 0,
          "Shard threads owning shop state. 0: engine.shards from the config, "
          "else the number of cores.");
ABSL_FLAG(int32_t, checkpoint_interval_seconds, 0,
          "Seconds between checkpoints. 0: config, else 5.");
ABSL_FLAG(int32_t, dedupe_window_days, 0,
          "Days an event id is remembered for deduplication. 0: config, "
          "else 30.");
ABSL_FLAG(int32_t, pack_idle_seconds, -1,
          "Seconds a clean shop stays live with no event, acknowledgement or "
          "query before it is held packed (its snapshot bytes, a fraction of "
          "the memory; unpacked on next use). 0: never pack. Unset: "
          "engine.pack_idle_seconds from the config, else 60.");
ABSL_FLAG(int32_t, store_test_write_buffer_kb, 0,
          "Tests only (crash tests): RocksDB memtables of this many KiB in "
          "every family, so flushes and compactions run all the time; each "
          "compaction's start and end go to DATA_DIR/compactions.trace. "
          "Never in production. 0: off.");
ABSL_FLAG(std::string, port_file, "",
          "Once serving, write the bound port and a newline to this file "
          "(atomically: temp file + rename).");
ABSL_FLAG(std::string, token_file, "",
          "Bearer tokens: one line per token, `sha256:<hex of the token's "
          "SHA-256> tenant=<tenant|*> roles=<ingest,read,alerts,admin> "
          "[name=<label>]` (see README, Security). Re-read about once a "
          "second; a broken file keeps the previous tokens. Empty: "
          "authentication off, loopback only.");
ABSL_FLAG(std::string, tls_cert, "",
          "TLS: PEM server certificate chain (with --tls-key).");
ABSL_FLAG(std::string, tls_key, "",
          "TLS: PEM private key of --tls-cert (unencrypted).");
ABSL_FLAG(std::string, tls_client_ca, "",
          "Mutual TLS: PEM CA certificate(s); clients must present a "
          "certificate signed by one of them.");
ABSL_FLAG(std::string, http_listen, "127.0.0.1:9474",
          "Address of the HTTP edge (/metrics, /livez, /readyz), host:port; "
          "port 0 picks a free port (see --http-port-file). Empty: no HTTP "
          "listener. Same token and loopback rules as --listen; HTTPS with "
          "--tls-cert/--tls-key.");
ABSL_FLAG(std::string, http_port_file, "",
          "Once the HTTP edge listens, write its bound port and a newline "
          "to this file (atomically: temp file + rename).");
ABSL_FLAG(int32_t, drain_delay_seconds, 0,
          "On SIGTERM, first turn /readyz and gRPC health to not-serving and "
          "keep serving this many seconds, so load balancers stop sending "
          "traffic before the drain; a second SIGTERM/SIGINT ends the wait. "
          "0: drain at once.");
ABSL_FLAG(std::string, log_format, "text",
          "Log lines as 'text' (depositd: MESSAGE key=value, for a "
          "terminal) or 'json' (one object per line with time, level, "
          "component, message and fields, for journald and log shippers).");
ABSL_FLAG(std::string, log_level, "info",
          "Least level logged: debug, info, warning or error.");
ABSL_FLAG(bool, insecure_listen_without_auth, false,
          "INSECURE: allow a non-loopback --listen without --token-file, "
          "letting anyone who can reach the port read and write every "
          "tenant's shops.");
// Cluster mode (docs/cluster.md), first step: with --cluster-nats the node
// joins the cluster's membership and holds its share of partition leases
// (handed over on SIGTERM); the engine itself still runs single-node.
ABSL_FLAG(std::string, cluster_nats, "",
          "Comma-separated NATS servers (nats://host:port) of a cluster to "
          "join; empty: single-node mode.");
ABSL_FLAG(std::string, cluster_node_id, "",
          "This node's id in the cluster (letters, digits, - and _).");
ABSL_FLAG(int32_t, cluster_partitions, 64,
          "The cluster's partition count; fixed when the cluster is created, "
          "every node must give the same.");
ABSL_FLAG(int32_t, cluster_replicas, 3,
          "Replicas of the cluster's NATS state: 3 on a 3-node NATS cluster, "
          "1 on a single server.");

namespace {

using depositd::daemon::Engine;

using depositd::daemon::LogError;
using depositd::daemon::LogInfo;
using depositd::daemon::LogWarning;

[[noreturn]] void Die(const std::string& message) {
  depositd::daemon::Log(depositd::daemon::LogLevel::kFatal, "main", message);
  std::_Exit(1);
}

bool SplitHostPort(const std::string& addr, std::string* host, int* port) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return false;
  *host = addr.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return absl::SimpleAtoi(addr.substr(colon + 1), port) && *port >= 0 &&
         *port <= 65535;
}

// protobuf's own log (e.g. a request string that is not UTF-8, once per
// such request): at most one line per 10 s, with the count, so a client
// cannot flood the log.
void ProtobufLog(google::protobuf::LogLevel level, const char* filename,
                 int line, const std::string& message) {
  static auto* throttle = new depositd::daemon::LogThrottle(
      absl::Seconds(10),
      [](absl::string_view text) { LogWarning("protobuf", text); });
  if (level < google::protobuf::LOGLEVEL_WARNING) return;
  throttle->Note(absl::StrCat(filename, ":", line, ": ", message));
}

// Why a listen failed, for the error line: try the bind ourselves.
std::string ListenError(const std::string& host, int port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  std::string h = host == "localhost" ? "127.0.0.1" : host;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*v6);
  } else {
    return "cannot resolve the host (use an IP address or localhost)";
  }
  const int fd = socket(family, SOCK_STREAM, 0);
  if (fd < 0) return std::strerror(errno);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  std::string reason = "the gRPC server could not bind it";
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    reason = errno == EADDRINUSE ? "address in use" : std::strerror(errno);
  }
  close(fd);
  return reason;
}

// gRPC's own log, one line per message, errors only; silent while binding
// (a failed bind gets our one-line error instead).
std::atomic<bool> grpc_log_quiet{false};
void GrpcLog(gpr_log_func_args* args) {
  if (grpc_log_quiet.load() || args->severity < GPR_LOG_SEVERITY_ERROR) return;
  LogError("grpc", args->message);
}

// Dies unless `addr` (host:port, `host` its host) may be served: a
// loopback address, a token file, or --insecure-listen-without-auth. For
// --listen and --http-listen alike (`what`: "" or " (--http-listen)").
void RefuseUnauthenticatedListen(const std::string& addr,
                                 const std::string& host,
                                 const std::string& token_file,
                                 const char* what = "") {
  if (!token_file.empty() ||
      absl::GetFlag(FLAGS_insecure_listen_without_auth)) {
    return;
  }
  const absl::Status loopback = depositd::daemon::RequireLoopback(host);
  if (!loopback.ok()) {
    Die(absl::StrCat(
        "refusing to listen on ", addr, what,
        " without authentication: ", loopback.message(),
        ", so anyone who can reach it could read and write every tenant's "
        "shops. Give --token-file FILE (and --tls-cert/--tls-key), listen on "
        "127.0.0.1, or force it with --insecure-listen-without-auth"));
  }
}

absl::Status WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    out.close();
    if (!out) return absl::UnavailableError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return absl::UnavailableError("cannot rename " + tmp + ": " + ec.message());
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "depositd: shop deposit closure-readiness daemon.\n"
      "  depositd --listen 127.0.0.1:50051 --data-dir ./var/depositd "
      "--config FILE [--sync=fsync|os] [--test-clock] ...\n"
      "Flag names may use dashes or underscores.");
  absl::FlagsUsageConfig usage_config;
  usage_config.version_string = [] {
    return std::string("depositd " DEPOSITD_VERSION
                       " (revision " DEPOSITD_REVISION ")\n");
  };
  absl::SetFlagsUsageConfig(usage_config);
  std::vector<std::string> storage;
  std::vector<char*> args = depositd::NormalizeFlagNames(argc, argv, &storage);
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  {
    absl::StatusOr<depositd::daemon::LogFormat> format =
        depositd::daemon::ParseLogFormat(absl::GetFlag(FLAGS_log_format));
    if (!format.ok()) Die(std::string(format.status().message()));
    absl::StatusOr<depositd::daemon::LogLevel> level =
        depositd::daemon::ParseLogLevel(absl::GetFlag(FLAGS_log_level));
    if (!level.ok()) Die(std::string(level.status().message()));
    depositd::daemon::Logger::Options log_options;
    log_options.format = *format;
    log_options.min_level = *level;
    depositd::daemon::SetProcessLogger(
        std::make_unique<depositd::daemon::Logger>(log_options));
  }
  // Everything depositd creates (data dir, RocksDB files, port file) is
  // its user's only: 0700 directories, 0600 files.
  umask(depositd::daemon::kDaemonUmask);
  google::protobuf::SetLogHandler(&ProtobufLog);

  // Configuration: read and checked whole (profiles, calendars, tenants,
  // routes, sinks), errors as FILE:LINE:COLUMN (daemon/config_loader.h).
  // The engine keeps it as a configuration version; SIGHUP reloads it.
  const std::string config_path = absl::GetFlag(FLAGS_config);
  absl::StatusOr<depositd::v1::DaemonConfig> loaded =
      depositd::daemon::LoadDaemonConfig(config_path);
  if (!loaded.ok()) Die(std::string(loaded.status().message()));
  const depositd::v1::DaemonConfig config = *std::move(loaded);
  // Native platform feeds: secrets are read now, so a bad one stops the
  // start before anything else (daemon/feed_config.h).
  absl::StatusOr<depositd::daemon::ConfiguredFeeds> feeds =
      depositd::daemon::LoadFeeds(config.feeds(), config_path);
  if (!feeds.ok())
    Die(absl::StrCat(config_path, ": ", feeds.status().message()));
  if (!feeds->empty() && absl::GetFlag(FLAGS_http_listen).empty()) {
    Die(absl::StrCat(config_path,
                     ": feeds are configured but the HTTP edge is off "
                     "(--http-listen=): webhooks arrive on it"));
  }

  // Flags over config over defaults.
  Engine::Options options;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  const std::string sync = absl::GetFlag(FLAGS_sync);
  if (sync == "fsync") {
    options.sync = true;
  } else if (sync == "os") {
    options.sync = false;
  } else {
    Die(absl::StrCat("--sync=", sync, " is not a sync mode: use fsync or os"));
  }
  const auto& engine_config = config.engine();
  options.shards = absl::GetFlag(FLAGS_shards);
  if (options.shards < 0) Die("--shards must be >= 0");
  if (options.shards == 0 && engine_config.has_shards()) {
    options.shards = engine_config.shards();
  }
  if (options.shards < 0 || options.shards > 256) {
    Die("shards (--shards or engine.shards) must be between 0 (one per "
        "core) and 256");
  }
  int ckpt = absl::GetFlag(FLAGS_checkpoint_interval_seconds);
  if (ckpt == 0 && engine_config.has_checkpoint_interval_seconds()) {
    ckpt = engine_config.checkpoint_interval_seconds();
  }
  if (ckpt < 0 || ckpt > 3600) {
    Die("the checkpoint interval must be between 0 (default 5) and 3600 "
        "seconds");
  }
  options.checkpoint_interval = absl::Seconds(ckpt == 0 ? 5 : ckpt);
  int dedupe_days = absl::GetFlag(FLAGS_dedupe_window_days);
  if (dedupe_days == 0 && engine_config.has_dedupe_window_days()) {
    dedupe_days = engine_config.dedupe_window_days();
  }
  if (dedupe_days < 0 || dedupe_days > 365) {
    Die("the dedupe window must be between 0 (default 30) and 365 days");
  }
  options.dedupe_window =
      absl::Hours(24 * (dedupe_days == 0 ? 30 : dedupe_days));
  int pack_idle = absl::GetFlag(FLAGS_pack_idle_seconds);
  if (pack_idle == -1) {
    pack_idle = engine_config.has_pack_idle_seconds()
                    ? engine_config.pack_idle_seconds()
                    : 60;
  }
  if (pack_idle < 0 || pack_idle > 7 * 24 * 3600) {
    Die("the pack idle time (--pack-idle-seconds or engine.pack_idle_seconds) "
        "must be between 0 (never pack) and 604800 seconds");
  }
  options.pack_idle = absl::Seconds(pack_idle);
  options.config = config;
  const int32_t test_kb = absl::GetFlag(FLAGS_store_test_write_buffer_kb);
  if (test_kb < 0) Die("--store-test-write-buffer-kb must be >= 0");
  options.store_test_write_buffer_bytes = static_cast<size_t>(test_kb) << 10;
  // Repeat intervals (from the routes) and FEED_SILENT watches (tenants'
  // feed_silence_minutes) come with the configuration version.

  std::unique_ptr<depositd::daemon::EngineClock> clock;
  if (absl::GetFlag(FLAGS_test_clock)) {
    absl::Time start = absl::Now();
    const std::string s = absl::GetFlag(FLAGS_test_clock_start);
    std::string err;
    if (!s.empty() && !absl::ParseTime(absl::RFC3339_full, s, &start, &err)) {
      Die(absl::StrCat(
          "--test-clock-start=", s,
          " is not an RFC 3339 time (e.g. 2026-01-01T00:00:00Z): ", err));
    }
    clock = std::make_unique<depositd::daemon::TestClock>(start);
  } else {
    if (!absl::GetFlag(FLAGS_test_clock_start).empty()) {
      Die("--test-clock-start needs --test-clock");
    }
    clock = std::make_unique<depositd::daemon::RealClock>();
  }
  options.clock = clock.get();

  const std::string listen = absl::GetFlag(FLAGS_listen);
  std::string host;
  int port = 0;
  if (!SplitHostPort(listen, &host, &port)) {
    Die(absl::StrCat("--listen=", listen,
                     " is not host:port (e.g. 127.0.0.1:50051)"));
  }

  // Signals go to one thread (sigwait), so block them before any thread
  // starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // SIGHUP (systemd's ExecReload): reload the configuration.
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Authentication and TLS (after the signal mask: the token reloader is a
  // thread).
  const std::string token_file = absl::GetFlag(FLAGS_token_file);
  RefuseUnauthenticatedListen(listen, host, token_file);
  const absl::Status loopback = depositd::daemon::RequireLoopback(host);
  const std::string http_listen = absl::GetFlag(FLAGS_http_listen);
  if (!http_listen.empty()) {
    std::string http_host;
    int http_port = 0;
    if (!SplitHostPort(http_listen, &http_host, &http_port)) {
      Die(absl::StrCat("--http-listen=", http_listen,
                       " is not host:port (e.g. 127.0.0.1:9474); give "
                       "--http-listen= (empty) to turn it off"));
    }
    RefuseUnauthenticatedListen(http_listen, http_host, token_file,
                                " (--http-listen)");
  }
  const int drain_delay = absl::GetFlag(FLAGS_drain_delay_seconds);
  if (drain_delay < 0 || drain_delay > 3600) {
    Die("--drain-delay-seconds must be between 0 and 3600");
  }
  std::unique_ptr<depositd::daemon::Authorizer> authorizer;
  if (!token_file.empty()) {
    depositd::daemon::Authorizer::Options auth_options;
    auth_options.token_file = token_file;
    absl::StatusOr<std::unique_ptr<depositd::daemon::Authorizer>> auth =
        depositd::daemon::Authorizer::Create(auth_options);
    if (!auth.ok()) Die(std::string(auth.status().message()));
    authorizer = *std::move(auth);
  }
  depositd::daemon::ServerTlsOptions tls;
  tls.cert_file = absl::GetFlag(FLAGS_tls_cert);
  tls.key_file = absl::GetFlag(FLAGS_tls_key);
  tls.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      depositd::daemon::MakeServerCredentials(tls);
  if (!credentials.ok()) Die(std::string(credentials.status().message()));

  if (absl::Status s = depositd::daemon::CheckPrivateDataDir(options.data_dir);
      !s.ok()) {
    Die(std::string(s.message()));
  }

  // Readiness, shared by /readyz and grpc.health.v1: starting until the
  // gRPC server serves, draining from the first signal. The HTTP edge
  // starts before recovery so that /livez answers while a long replay runs.
  std::atomic<Engine*> engine_for_health{nullptr};
  depositd::daemon::HealthState health([&engine_for_health] {
    Engine* e = engine_for_health.load();
    return e != nullptr ? e->WritableStatus() : absl::OkStatus();
  });
  auto metrics_registry = std::make_shared<prometheus::Registry>();
  // 1 from start until recovery is done and depositd serves: /metrics
  // answers during a long replay (with this and nothing else), so
  // Prometheus tells "recovering" (DepositdRecoveryTakingLong) from "down".
  prometheus::Gauge& recovering =
      prometheus::BuildGauge()
          .Name("depositd_recovering")
          .Help(
              "1 while depositd recovers (loads checkpoints, replays the "
              "log) and does not serve yet; 0 once it serves.")
          .Register(*metrics_registry)
          .Add({});
  recovering.Set(1);
  std::unique_ptr<depositd::daemon::HttpEdge> http;
  if (!http_listen.empty()) {
    depositd::daemon::HttpEdge::Options http_options;
    http_options.listen = http_listen;
    // With --tls-cert the edge serves HTTPS with gRPC's certificate.
    http_options.tls_cert_file = tls.cert_file;
    http_options.tls_key_file = tls.key_file;
    http_options.authorizer = authorizer.get();
    http_options.health = &health;
    http_options.collectables = {metrics_registry};
    absl::StatusOr<std::unique_ptr<depositd::daemon::HttpEdge>> started =
        depositd::daemon::HttpEdge::Start(std::move(http_options));
    if (!started.ok()) Die(std::string(started.status().message()));
    http = *std::move(started);
    const std::string http_port_file = absl::GetFlag(FLAGS_http_port_file);
    if (!http_port_file.empty()) {
      absl::Status s = WritePortFile(http_port_file, http->port());
      if (!s.ok()) Die(std::string(s.message()));
    }
  }

  std::unique_ptr<depositd::daemon::ClusterNode> cluster;
  if (!absl::GetFlag(FLAGS_cluster_nats).empty()) {
    depositd::daemon::ClusterNodeOptions cluster_options;
    cluster_options.nats = absl::GetFlag(FLAGS_cluster_nats);
    cluster_options.node_id = absl::GetFlag(FLAGS_cluster_node_id);
    cluster_options.partitions = absl::GetFlag(FLAGS_cluster_partitions);
    cluster_options.replicas = absl::GetFlag(FLAGS_cluster_replicas);
    cluster_options.registry = metrics_registry.get();
    absl::StatusOr<std::unique_ptr<depositd::daemon::ClusterNode>> joined =
        depositd::daemon::ClusterNode::Start(cluster_options);
    if (!joined.ok()) Die(std::string(joined.status().message()));
    cluster = *std::move(joined);
    LogInfo("main", "joined the cluster as " + cluster->Summary());
  }

  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(options);
  if (!engine.ok()) Die(std::string(engine.status().message()));
  engine_for_health = engine->get();
  // /livez, /readyz and gRPC health fail while a shard is stuck in one
  // step (HealthState: 30 s); the watch pushes that to gRPC health.
  health.SetProgressProbe([e = engine->get()] {
    const Engine::ShardStep s = e->SlowestShardStep();
    return depositd::daemon::SlowestShardStep{s.shard, s.time};
  });
  health.StartWatch(absl::Seconds(1));

  // Alert delivery: one worker per sink, each from its own persisted cursor;
  // the sinks of the configuration in force (a reload moves them).
  depositd::daemon::SinkDispatcher::Options sink_options;
  sink_options.store = (*engine)->store();
  sink_options.hub = (*engine)->alert_hub();
  sink_options.silencer = (*engine)->silencer();
  sink_options.clock = clock.get();
  Engine* const engine_ptr = engine->get();
  sink_options.language = [engine_ptr](const std::string& tenant) {
    absl::StatusOr<const depositd::watchers::ResolvedProfile*> p =
        engine_ptr->config()->registry->Resolve(tenant, "", "generic");
    return p.ok() ? (*p)->language : std::string("en");
  };
  absl::StatusOr<std::unique_ptr<depositd::daemon::ConfigSinks>> sinks =
      depositd::daemon::ConfigSinks::Start(sink_options, (*engine)->config());
  if (!sinks.ok()) {
    (*engine)->Stop();
    Die(absl::StrCat("alert sinks: ", sinks.status().message()));
  }
  // /metrics reads the sinks in use: set again after a reload moved them.
  auto set_metrics = [&http, &metrics_registry, engine_ptr,
                      sinks = sinks->get()] {
    if (http == nullptr) return;
    depositd::daemon::MetricsCollector::Options metrics_options;
    metrics_options.engine = engine_ptr;
    metrics_options.sinks = sinks->current();
    metrics_options.version = DEPOSITD_VERSION;
    metrics_options.revision = DEPOSITD_REVISION;
    http->SetCollectables(
        {metrics_registry, std::make_shared<depositd::daemon::MetricsCollector>(
                               metrics_options)});
  };
  set_metrics();

  std::shared_ptr<depositd::daemon::FeedReceivers> hooks;
  if (http != nullptr) {
    depositd::daemon::FeedReceivers::Options hook_options =
        depositd::daemon::FeedReceivers::ForEngine(
            engine->get(), [c = clock.get()] { return c->Now(); });
    hook_options.authorizer = authorizer.get();
    hook_options.registry = metrics_registry.get();
    absl::StatusOr<std::shared_ptr<depositd::daemon::FeedReceivers>> made =
        depositd::daemon::FeedReceivers::Create(*std::move(feeds),
                                                std::move(hook_options));
    if (!made.ok()) {
      (*engine)->Stop();
      Die(std::string(made.status().message()));
    }
    hooks = *std::move(made);
    http->SetHooks(hooks, !hooks->empty());
  }

  // The console: its JSON API and its static files (daemon/api_router.h,
  // daemon/console_handler.h), on the HTTP edge beside /metrics.
  if (http != nullptr) {
    depositd::daemon::ApiRouter::Options api_options;
    api_options.engine = engine->get();
    api_options.authorizer = authorizer.get();
    api_options.sessions.store = (*engine)->store();
    auto api =
        std::make_shared<depositd::daemon::ApiRouter>(std::move(api_options));
    if (!api->sessions().load_status().ok()) {
      depositd::daemon::Log(
          depositd::daemon::LogLevel::kWarning, "console",
          absl::StrCat(
              "console sessions not loaded (everyone signs in again): ",
              api->sessions().load_status().message()));
    }
    http->SetHandler("/api/v1", std::move(api));
    http->SetHandler(
        "/console",
        std::make_shared<depositd::daemon::ConsoleHandler>(
            [](absl::string_view path)
                -> std::optional<depositd::daemon::ConsoleFile> {
#ifdef DEPOSITD_HAVE_CONSOLE_ASSETS
              const depositd::ConsoleAsset* a =
                  depositd::FindConsoleAsset(path);
              if (a != nullptr) {
                return depositd::daemon::ConsoleFile{a->content_type, a->body};
              }
#else
              (void)path;
#endif
              return std::nullopt;
            }));
  }

  depositd::daemon::Services services(engine->get(), authorizer.get());
  services.SetSinkStats(
      [config_sinks = sinks->get()](depositd::v1::StatsResponse* response) {
        config_sinks->FillStats(response);
      });
  // Live reload (SIGHUP, Admin.ReloadConfig), one at a time on its thread.
  depositd::daemon::ConfigReloader::Options reload_options;
  reload_options.path = config_path;
  reload_options.engine = engine_ptr;
  reload_options.started_with = config;
  reload_options.on_applied =
      [config_sinks = sinks->get(),
       &set_metrics](const depositd::daemon::RunningConfig* applied) {
        absl::Status s = config_sinks->Use(applied);
        set_metrics();
        return s;
      };
  depositd::daemon::ConfigReloader reloader(std::move(reload_options));
  {
    depositd::daemon::ConfigAdmin config_admin;
    config_admin.file = config_path;
    // Without --config the reloader answers FAILED_PRECONDITION, saying so.
    config_admin.reload = [&reloader](auto done) {
      reloader.Reload("Admin.ReloadConfig", std::move(done));
    };
    services.SetConfigAdmin(std::move(config_admin));
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(listen, *credentials, &bound_port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // A batch of 10,000 typical events is about 3 MB; the largest valid event
  // about 9 KB (watchers/limits.h).
  builder.SetMaxReceiveMessageSize(16 << 20);
  services.Register(builder);
  gpr_set_log_function(GrpcLog);
  grpc_log_quiet = true;
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  grpc_log_quiet = false;
  if (server == nullptr || bound_port == 0) {
    const std::string why = ListenError(host, port);
    (*engine)->Stop();
    Die(absl::StrCat("cannot listen on ", listen, ": ", why));
  }

  // grpc.health.v1 follows the shared state from here on.
  grpc::HealthCheckServiceInterface* grpc_health =
      server->GetHealthCheckService();
  if (grpc_health != nullptr) grpc_health->SetServingStatus(false);
  health.SetListener([grpc_health](bool serving) {
    if (grpc_health != nullptr) grpc_health->SetServingStatus(serving);
  });

  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty()) {
    absl::Status s = WritePortFile(port_file, bound_port);
    if (!s.ok()) {
      server->Shutdown();
      (*engine)->Stop();
      Die(std::string(s.message()));
    }
  }
  const Engine::RecoveryStats& r = (*engine)->recovery();
  LogInfo(
      "main",
      absl::StrCat(
          "listening on ", host, ":", bound_port, ", data dir ",
          options.data_dir, ", ", (*engine)->shard_count(),
          " shards, sync=", options.sync ? "fsync" : "os",
          absl::GetFlag(FLAGS_test_clock)
              ? absl::StrCat(", TEST CLOCK at ",
                             absl::FormatTime(absl::RFC3339_full, clock->Now(),
                                              absl::UTCTimeZone()))
              : "",
          "; recovered ", r.shops, " shops, ", r.dedupe_ids, " dedupe ids, ",
          r.firing_alerts, " firing alerts, replayed ", r.replayed_records,
          " log records (", r.replayed_events, " events; ", r.skipped_events,
          " more already checkpointed) in ", absl::FormatDuration(r.took),
          "; log position ", r.log_position, ", alert sequence ",
          r.alert_sequence, "; configuration version ", r.config_version,
          r.config_shops > 0 ? absl::StrCat(" (", r.config_shops,
                                            " shops judged again under it)")
                             : ""));
  const char* transport = tls.cert_file.empty() ? "plaintext (no --tls-cert)"
                          : tls.client_ca_file.empty()
                              ? "TLS"
                              : "mutual TLS (client certificates "
                                "required)";
  if (authorizer != nullptr) {
    LogInfo("main",
            absl::StrCat("authentication on: token file ", token_file, ", ",
                         authorizer->token_count(),
                         " tokens (re-read on change); transport ", transport));
    if (authorizer->token_count() == 0) {
      LogWarning("main",
                 "the token file has no tokens: every call except health is "
                 "UNAUTHENTICATED");
    }
    if (tls.cert_file.empty() && !loopback.ok()) {
      LogWarning("main", absl::StrCat("tokens travel in clear text on ", host,
                                      ": add --tls-cert and --tls-key"));
    }
  } else if (loopback.ok()) {
    LogInfo("main",
            absl::StrCat("no token file: authentication is off, so depositd "
                         "serves on loopback only (",
                         host, "); transport ", transport));
  } else {
    LogWarning("main", absl::StrCat(
                           "--insecure-listen-without-auth: no token file and "
                           "authentication is off, yet listening on ",
                           host,
                           ": anyone who can reach it can read and write every "
                           "tenant's shops; transport ",
                           transport));
  }
  if (http != nullptr) {
    LogInfo("main",
            absl::StrCat("HTTP edge on ", http_listen, " port ", http->port(),
                         ": /metrics, /livez, /readyz (",
                         authorizer != nullptr ? "tokens required except probes"
                                               : "no authentication, loopback",
                         ")", hooks->empty() ? "" : "; webhooks /hooks/ for ",
                         hooks->Summary()));
  }
  health.SetServing();
  recovering.Set(0);
  // systemd (Type=notify): ready only now, after recovery, with both
  // listeners up. Without NOTIFY_SOCKET this does nothing.
  depositd::daemon::NotifySystemd(
      depositd::daemon::SystemdState::kReady,
      absl::StrCat("serving; log position ", r.log_position));

  int sig = 0;
  while (true) {
    sigwait(&signals, &sig);
    if (sig != SIGHUP) break;
    // The reloader logs the outcome (FILE:LINE for a bad file).
    reloader.Reload("SIGHUP",
                    [](absl::StatusOr<depositd::v1::ReloadConfigResponse>) {});
  }
  const char* sig_name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
  // Readiness off first: load balancers and Kubernetes stop routing here
  // while the drain runs.
  health.BeginDrain();
  depositd::daemon::NotifySystemd(depositd::daemon::SystemdState::kStopping,
                                  "draining");
  if (drain_delay > 0) {
    LogInfo("main",
            absl::StrCat(sig_name, " received: not ready; draining in ",
                         drain_delay, "s (send it again to drain now)"));
    const timespec wait{drain_delay, 0};
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigtimedwait(&stop_signals, nullptr, &wait);
  }
  LogInfo("main", absl::StrCat(sig_name, " received: draining and stopping"));
  // Streams stop reading, send the acks of what they read and end; then
  // the server stops. gRPC's Shutdown would otherwise wait for idle client
  // connections until its deadline, so the deadline is short: only unary
  // calls (milliseconds) can still be running by then.
  // A reload running finishes first; queued ones fail (UNAVAILABLE).
  reloader.Stop();
  services.BeginShutdown();
  if (!services.WaitForStreams(absl::Seconds(10))) {
    LogWarning("main", "some streams did not end within 10s; cancelling them");
  }
  server->Shutdown(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(250));
  server->Wait();
  if (cluster != nullptr) {
    // Hand this node's partitions to the others before exiting.
    absl::Status drained = cluster->Drain(absl::Seconds(10));
    if (drained.ok()) {
      LogInfo("main", "cluster partitions handed over");
    } else {
      LogWarning("main", absl::StrCat("cluster drain: ", drained.message()));
    }
  }
  if (http != nullptr) http->Stop();  // before what /metrics reads stops
  (*sinks)->Stop();  // aborts deliveries in flight; cursors are saved
  (*engine)->Stop();
  const depositd::v1::StatsResponse stats = (*engine)->Stats();
  health.ClearProgressProbe();
  engine->reset();
  LogInfo("main", "stopped cleanly",
          {{"log_position", stats.log_position()},
           {"checkpoint_position", stats.checkpoint_position()}});
  // Everything durable is written and the store is closed; skip the slow
  // teardown of gRPC's globals.
  std::fflush(stderr);
  std::fflush(stdout);
  std::_Exit(0);
}
