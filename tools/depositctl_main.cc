// depositctl: the command-line client of depositd. Run `depositctl help`.
//
// Exit codes: 0 success; 1 the daemon answered but not with success (events
// rejected, shop not found, invalid argument, NOT_SERVING); 2 usage errors
// and connection errors (daemon unreachable, deadline exceeded).
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/timestamps.h"
#include "depositd/v1/service.grpc.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/client_channel.h"
#include "tools/command_line.h"
#include "tools/ctl_client.h"
#include "tools/format.h"
#include "tools/grpc_health_v1.grpc.pb.h"
#include "tools/jsonl_reader.h"
#include "tools/replay_hook.h"
#include "tools/stream_sender.h"
#ifdef DEPOSITCTL_CLUSTER
#include "absl/strings/str_split.h"
#include "daemon/cluster_status.h"
#include "daemon/nats_client.h"
#endif

namespace depositd::tools {
namespace {

constexpr char kUsage[] =
    R"(usage: depositctl [--addr HOST:PORT] [--timeout SECONDS] [--token T]
                  [--tls-ca FILE] [--tls-cert FILE --tls-key FILE] COMMAND ARGS

  --addr      daemon address (default $DEPOSITD_ADDR or 127.0.0.1:50051)
  --timeout   deadline for each call and for connecting, seconds (default 10)
  --token     bearer token (default $DEPOSITD_TOKEN), for a depositd run
              with --token-file
  --tls-ca    TLS: PEM CA that signed the daemon's certificate (--tls alone:
              the system's CAs)
  --tls-cert, --tls-key
              mutual TLS: this client's PEM certificate and key

commands:
  send FILE|- [--batch N] [--in-flight N]
        stream JSON Lines of depositd.v1.Event (protobuf JSON mapping; blank
        lines and # comments skipped); prints "applied A, duplicate D,
        rejected R" and every rejection with its line number. Exit 1 if any
        event was rejected.
  shop TENANT SHOP [--as-of RFC3339] [--json]
        readiness report: verdict, blockers, balance, refund projection
  explain TENANT SHOP [--as-of RFC3339] [--json]
        the report plus the events behind each blocker
  shops [--tenant T] [--verdict READY|NOT_READY|READY_AT] [--risk KIND]
        [--profile P] [--page-size N] [--json]
        list shops (follows every page)
  alerts watch [--from SEQ] [--tenant T] [--shop S] [--json]
        stream alert transitions (from SEQ, or only new ones)
  alerts list [--tenant T] [--shop S] [--json]
        alerts firing now (a silenced one says by which silence)
  alerts ack TENANT SHOP KIND [--subject S] --by NAME [--comment TEXT]
        acknowledge a firing alert: no more repeats (it still escalates and
        resolves); SHOP is - for tenant-wide alerts (FEED_SILENT)
  alerts silence [--tenant T] [--shop S] [--kind K] [--severity SEV]
        (--for DURATION | --until RFC3339) --by NAME [--comment TEXT]
        mute notifications of matching alerts until then; prints its id
  health                       grpc.health.v1 check: SERVING or the error
  stats [--json]               store and engine statistics
  backup DIR [--json]
        consistent online backup of the daemon's data dir into DIR, an
        absolute path ON THE DAEMON'S HOST that must not exist yet; prints
        the log position it holds. Restore: start depositd with
        --data-dir DIR (docs/operations.md)
  profiles [--tenant T] [--shop S] [--json]
        the effective platform profiles (every setting, with tenant and shop
        overrides when given) and the business calendars with their zones
  config reload [--json]
        make the daemon re-read its --config file and apply it (as SIGHUP
        does): prints the configuration version in force and how many
        shops were judged again. A bad file changes nothing and is printed
        as FILE:LINE:COLUMN: what is wrong (exit 1). Give a larger
        --timeout for a daemon with millions of shops
  config show [--tenant T] [--shop S] [--json]
        the configuration in force: its version and file, the file's
        settings (secrets redacted), then the effective profiles as
        `profiles` prints them
  clock                        show the test clock (daemon run with --test-clock)
  clock set RFC3339            set the test clock (never backwards)
  clock advance DURATION       move it forward, e.g. 30d, 36h, 1d12h, 90m
  replay-hook PLATFORM FILE [--edge URL] [--secret-file F] [--app-key K]
        [--callback-url URL] [--tenant T] [--signed-at RFC3339]
        send a captured webhook request (headers, an empty line, the raw
        body: docs/feeds.md) to the HTTP edge's /hooks/PLATFORM, signed
        with that secret as the platform signs; prints the answer, exit 1
        unless 2xx. --token: Amazon's bearer token; --tls*: for https
  cluster status --nats URLS [--timeout SECONDS]
        cluster mode (docs/cluster.md): partition count, live nodes, who
        owns which partition, each partition's last log sequence and lag
        (records after its checkpoint's cut); read from
        the cluster's NATS servers (comma-separated nats://host:port)
  help                         this text
)";

int UsageError(absl::string_view message) {
  std::cerr << "depositctl: " << message << "\n"
            << "run `depositctl help` for usage\n";
  return kExitUsage;
}

std::string ToJson(const google::protobuf::Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.preserve_proto_field_names = false;
  std::string out;
  auto status =
      google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) return "{}";
  if (pretty && !out.empty() && out.back() != '\n') out.push_back('\n');
  return out;
}

// ---------------------------------------------------------------------------
// send
// ---------------------------------------------------------------------------

struct Rejection {
  int64_t line = 0;
  std::string event_id;
  std::string reason;
};

int RunSend(const Client& client, const CommandLine& cl) {
  if (auto s = CheckOptions(cl, {"batch", "in-flight"}); !s.ok()) {
    return UsageError(s.message());
  }
  if (cl.positionals.size() != 2) {
    return UsageError("send needs one FILE argument (or - for stdin)");
  }
  absl::StatusOr<int> batch = IntOption(cl, "batch", 500, 1, 10000);
  if (!batch.ok()) return UsageError(batch.status().message());
  absl::StatusOr<int> in_flight = IntOption(cl, "in-flight", 8, 1, 1024);
  if (!in_flight.ok()) return UsageError(in_flight.status().message());

  const std::string& path = cl.positionals[1];
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) {
      std::cerr << "depositctl: cannot open " << path << ": "
                << std::strerror(errno) << "\n";
      return kExitUsage;
    }
    in = &file;
  }
  if (int rc = client.CheckReachable(); rc != kExitOk) return rc;

  auto stub = v1::EventIngest::NewStub(client.channel());
  StreamSender::Options options;
  options.batch_size = *batch;
  options.max_in_flight = *in_flight;
  StreamSender sender(stub.get(), options);

  JsonlEventReader reader(in);
  // Written by the producer (writer thread) only; read after Run() joined it.
  std::vector<Rejection> local_rejections;
  // Written by the ack handler (this thread) only.
  std::vector<Rejection> server_rejections;
  int64_t applied = 0, duplicates = 0;

  absl::Notification done;
  const absl::Time start = absl::Now();
  std::thread progress([&] {
    while (!done.WaitForNotificationWithTimeout(absl::Seconds(1))) {
      std::cerr << "sent " << sender.events_sent() << " events, acked "
                << sender.events_acked() << "\n";
    }
  });

  absl::Status status = sender.Run(
      [&](StreamSender::Item* item) {
        while (std::optional<JsonlRecord> record = reader.Next()) {
          if (!record->event.ok()) {
            local_rejections.push_back(
                {record->line_number, "",
                 absl::StrCat("not a valid event: ",
                              record->event.status().message())});
            continue;
          }
          item->event = *std::move(record->event);
          item->tag = record->line_number;
          return true;
        }
        return false;
      },
      [&](const StreamSender::SentBatch& sent, const v1::IngestAck& ack) {
        for (int i = 0; i < ack.results_size(); ++i) {
          const v1::EventResult& result = ack.results(i);
          switch (result.outcome()) {
            case v1::APPLIED:
              ++applied;
              break;
            case v1::DUPLICATE:
              ++duplicates;
              break;
            default:
              server_rejections.push_back(
                  {sent.tags[i], sent.batch.events(i).event_id(),
                   result.reason().empty() ? "(no reason given)"
                                           : result.reason()});
          }
        }
      });
  done.Notify();
  progress.join();
  const absl::Duration elapsed = absl::Now() - start;

  std::vector<Rejection> rejections = std::move(local_rejections);
  rejections.insert(rejections.end(), server_rejections.begin(),
                    server_rejections.end());
  std::sort(
      rejections.begin(), rejections.end(),
      [](const Rejection& a, const Rejection& b) { return a.line < b.line; });

  std::cout << "applied " << applied << ", duplicate " << duplicates
            << ", rejected " << rejections.size() << "\n";
  for (const Rejection& r : rejections) {
    std::cout << "  line " << r.line << ": "
              << (r.event_id.empty() ? "-" : r.event_id) << ": " << r.reason
              << "\n";
  }
  const double seconds = absl::ToDoubleSeconds(elapsed);
  std::cerr << absl::StrFormat(
      "sent %d events in %.2fs (%.0f events/s), acked %d\n",
      sender.events_sent(), seconds,
      seconds > 0 ? sender.events_sent() / seconds : 0.0,
      sender.events_acked());
  if (reader.stream_failed()) {
    std::cerr << "depositctl: reading " << path << " failed\n";
    return kExitUsage;
  }
  if (!status.ok()) {
    int rc = client.ReportError(status, "send", /*was_connected=*/true);
    std::cerr << "depositctl: " << sender.events_acked()
              << " events were acknowledged before the stream ended; "
                 "resending the file is safe (acknowledged events come back "
                 "DUPLICATE)\n";
    return rc;
  }
  return rejections.empty() ? kExitOk : kExitFailed;
}

// ---------------------------------------------------------------------------
// shop / explain
// ---------------------------------------------------------------------------

int RunShopOrExplain(const Client& client, const CommandLine& cl,
                     bool explain) {
  if (auto s = CheckOptions(cl, {"as-of", "json"}); !s.ok()) {
    return UsageError(s.message());
  }
  if (cl.positionals.size() != 3) {
    return UsageError(absl::StrCat(cl.positionals[0], " needs TENANT SHOP"));
  }
  google::protobuf::Timestamp as_of;
  if (HasOption(cl, "as-of")) {
    absl::StatusOr<google::protobuf::Timestamp> t =
        ParseTimestampArg(Option(cl, "as-of"));
    if (!t.ok()) return UsageError(t.status().message());
    as_of = *t;
  }
  const bool json = HasOption(cl, "json");
  auto stub = v1::Readiness::NewStub(client.channel());
  grpc::ClientContext context;
  client.SetDeadline(&context);
  if (explain) {
    v1::ExplainRequest request;
    request.set_tenant(cl.positionals[1]);
    request.set_shop_id(cl.positionals[2]);
    if (IsSet(as_of)) *request.mutable_as_of() = as_of;
    v1::ExplainResponse response;
    grpc::Status status = stub->Explain(&context, request, &response);
    if (!status.ok()) return client.ReportError(status, "explain");
    std::cout << (json ? ToJson(response, true) : FormatExplain(response));
    return kExitOk;
  }
  v1::GetShopRequest request;
  request.set_tenant(cl.positionals[1]);
  request.set_shop_id(cl.positionals[2]);
  if (IsSet(as_of)) *request.mutable_as_of() = as_of;
  v1::ReadinessReport report;
  grpc::Status status = stub->GetShop(&context, request, &report);
  if (!status.ok()) return client.ReportError(status, "shop");
  std::cout << (json ? ToJson(report, true) : FormatReadinessReport(report));
  return kExitOk;
}

// ---------------------------------------------------------------------------
// shops
// ---------------------------------------------------------------------------

int RunShops(const Client& client, const CommandLine& cl) {
  if (auto s = CheckOptions(
          cl, {"tenant", "verdict", "risk", "profile", "page-size", "json"});
      !s.ok()) {
    return UsageError(s.message());
  }
  if (cl.positionals.size() != 1) return UsageError("shops takes no arguments");
  v1::ListShopsRequest request;
  request.set_tenant(Option(cl, "tenant"));
  request.set_profile(Option(cl, "profile"));
  if (HasOption(cl, "verdict")) {
    absl::StatusOr<v1::Verdict> v = ParseVerdict(Option(cl, "verdict"));
    if (!v.ok()) return UsageError(v.status().message());
    request.add_verdicts(*v);
  }
  if (HasOption(cl, "risk")) {
    absl::StatusOr<v1::AlertKind> k = ParseAlertKind(Option(cl, "risk"));
    if (!k.ok()) return UsageError(k.status().message());
    request.set_risk(*k);
  }
  absl::StatusOr<int> page_size = IntOption(cl, "page-size", 100, 1, 1000);
  if (!page_size.ok()) return UsageError(page_size.status().message());
  request.set_page_size(*page_size);
  const bool json = HasOption(cl, "json");

  auto stub = v1::Readiness::NewStub(client.channel());
  std::vector<v1::ShopSummary> shops;
  for (;;) {
    grpc::ClientContext context;
    client.SetDeadline(&context);
    v1::ListShopsResponse response;
    grpc::Status status = stub->ListShops(&context, request, &response);
    if (!status.ok()) return client.ReportError(status, "shops");
    for (v1::ShopSummary& s : *response.mutable_shops()) {
      if (json) {
        std::cout << ToJson(s, false) << "\n";
      } else {
        shops.push_back(std::move(s));
      }
    }
    if (response.next_page_token().empty()) break;
    if (response.next_page_token() == request.page_token()) {
      std::cerr << "depositctl: shops: the server repeated page token \""
                << request.page_token() << "\"\n";
      return kExitFailed;
    }
    request.set_page_token(response.next_page_token());
  }
  if (!json) {
    std::cout << FormatShopTable(shops) << shops.size() << " shops\n";
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------
// alerts
// ---------------------------------------------------------------------------

int RunAlertsAck(const Client& client, const CommandLine& cl) {
  if (auto s = CheckOptions(cl, {"subject", "by", "comment"}); !s.ok()) {
    return UsageError(s.message());
  }
  const auto& p = cl.positionals;
  if (p.size() != 5) {
    return UsageError("alerts ack needs TENANT SHOP KIND (SHOP - for none)");
  }
  absl::StatusOr<v1::AlertKind> kind = ParseAlertKind(p[4]);
  if (!kind.ok()) return UsageError(kind.status().message());
  if (Option(cl, "by").empty()) {
    return UsageError("alerts ack needs --by NAME (who acknowledges)");
  }
  v1::AcknowledgeRequest request;
  request.mutable_key()->set_tenant(p[2]);
  request.mutable_key()->set_shop_id(p[3] == "-" ? "" : p[3]);
  request.mutable_key()->set_kind(*kind);
  request.mutable_key()->set_subject(Option(cl, "subject"));
  request.set_by(Option(cl, "by"));
  request.set_comment(Option(cl, "comment"));
  grpc::ClientContext context;
  client.SetDeadline(&context);
  v1::AcknowledgeResponse response;
  grpc::Status status = v1::Alerts::NewStub(client.channel())
                            ->Acknowledge(&context, request, &response);
  if (!status.ok()) return client.ReportError(status, "alerts ack");
  std::cerr << "acknowledged\n";
  return kExitOk;
}

int RunAlertsSilence(const Client& client, const CommandLine& cl) {
  if (auto s = CheckOptions(cl, {"tenant", "shop", "kind", "severity", "for",
                                 "until", "by", "comment"});
      !s.ok()) {
    return UsageError(s.message());
  }
  if (cl.positionals.size() != 2) {
    return UsageError("alerts silence takes options only");
  }
  v1::SilenceRequest request;
  request.set_tenant(Option(cl, "tenant"));
  request.set_shop_id(Option(cl, "shop"));
  if (HasOption(cl, "kind")) {
    absl::StatusOr<v1::AlertKind> kind = ParseAlertKind(Option(cl, "kind"));
    if (!kind.ok()) return UsageError(kind.status().message());
    request.set_kind(*kind);
  }
  if (HasOption(cl, "severity")) {
    absl::StatusOr<v1::Severity> sev = ParseSeverity(Option(cl, "severity"));
    if (!sev.ok()) return UsageError(sev.status().message());
    request.set_severity(*sev);
  }
  if (HasOption(cl, "for") == HasOption(cl, "until")) {
    return UsageError(
        "alerts silence needs one of --for DURATION or --until "
        "RFC3339");
  }
  if (HasOption(cl, "until")) {
    absl::StatusOr<google::protobuf::Timestamp> t =
        ParseTimestampArg(Option(cl, "until"));
    if (!t.ok()) return UsageError(t.status().message());
    *request.mutable_ends_at() = *t;
  } else {
    absl::StatusOr<google::protobuf::Duration> d =
        ParseDurationArg(Option(cl, "for"));
    if (!d.ok()) return UsageError(d.status().message());
    // Relative to the daemon's clock (the test clock when it runs one).
    absl::Time now = absl::Now();
    {
      grpc::ClientContext context;
      client.SetDeadline(&context);
      v1::GetTestClockRequest creq;
      v1::TestClockResponse cresp;
      if (v1::Admin::NewStub(client.channel())
              ->GetTestClock(&context, creq, &cresp)
              .ok()) {
        now = common::FromTimestamp(cresp.now());
      }
    }
    const absl::Time ends =
        now + absl::Seconds(d->seconds()) + absl::Nanoseconds(d->nanos());
    request.mutable_ends_at()->set_seconds(absl::ToUnixSeconds(ends));
  }
  if (Option(cl, "by").empty()) {
    return UsageError("alerts silence needs --by NAME (who silences)");
  }
  request.set_by(Option(cl, "by"));
  request.set_comment(Option(cl, "comment"));
  grpc::ClientContext context;
  client.SetDeadline(&context);
  v1::SilenceResponse response;
  grpc::Status status = v1::Alerts::NewStub(client.channel())
                            ->Silence(&context, request, &response);
  if (!status.ok()) return client.ReportError(status, "alerts silence");
  std::cout << response.silence_id() << std::endl;
  return kExitOk;
}

int RunAlerts(const Client& client, const CommandLine& cl) {
  if (cl.positionals.size() >= 2 && cl.positionals[1] == "ack") {
    return RunAlertsAck(client, cl);
  }
  if (cl.positionals.size() >= 2 && cl.positionals[1] == "silence") {
    return RunAlertsSilence(client, cl);
  }
  if (cl.positionals.size() != 2 ||
      (cl.positionals[1] != "watch" && cl.positionals[1] != "list")) {
    return UsageError("alerts needs a subcommand: watch, list, ack or silence");
  }
  const bool watch = cl.positionals[1] == "watch";
  if (auto s = CheckOptions(
          cl, watch ? std::set<std::string>{"from", "tenant", "shop", "json"}
                    : std::set<std::string>{"tenant", "shop", "json"});
      !s.ok()) {
    return UsageError(s.message());
  }
  v1::AlertFilter filter;
  filter.set_tenant(Option(cl, "tenant"));
  filter.set_shop_id(Option(cl, "shop"));
  const bool json = HasOption(cl, "json");
  auto stub = v1::Alerts::NewStub(client.channel());
  auto print = [&](const v1::Alert& alert) {
    std::cout << (json ? ToJson(alert, false) : FormatAlertLine(alert))
              << std::endl;
  };

  if (!watch) {
    grpc::ClientContext context;
    client.SetDeadline(&context);
    v1::ListAlertsRequest request;
    *request.mutable_filter() = filter;
    v1::ListAlertsResponse response;
    grpc::Status status = stub->List(&context, request, &response);
    if (!status.ok()) return client.ReportError(status, "alerts list");
    for (const v1::Alert& alert : response.alerts()) print(alert);
    if (!json) std::cerr << response.alerts_size() << " alerts firing\n";
    return kExitOk;
  }

  uint64_t from = 0;
  if (HasOption(cl, "from") && !absl::SimpleAtoi(Option(cl, "from"), &from)) {
    return UsageError("--from must be an alert sequence number");
  }
  if (int rc = client.CheckReachable(); rc != kExitOk) return rc;
  for (;;) {
    grpc::ClientContext context;
    v1::WatchAlertsRequest request;
    request.set_from_sequence(from);
    *request.mutable_filter() = filter;
    auto reader = stub->Watch(&context, request);
    v1::Alert alert;
    while (reader->Read(&alert)) {
      print(alert);
      from = alert.sequence() + 1;
    }
    grpc::Status status = reader->Finish();
    // A subscriber that fell behind resumes where it stopped; nothing is lost.
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
        from > 0) {
      std::cerr << "depositctl: fell behind; resuming from " << from << "\n";
      continue;
    }
    if (status.ok()) return kExitOk;
    const int rc =
        client.ReportError(status, "alerts watch", /*was_connected=*/true);
    if (from > 0) {
      std::cerr << "depositctl: resume with `depositctl alerts watch --from "
                << from << "`\n";
    }
    return rc;
  }
}

// ---------------------------------------------------------------------------
// health, stats, clock
// ---------------------------------------------------------------------------

int RunHealth(const Client& client, const CommandLine& cl) {
  if (auto s = CheckOptions(cl, {}); !s.ok()) return UsageError(s.message());
  if (cl.positionals.size() != 1)
    return UsageError("health takes no arguments");
  grpc::health::v1::Health::Stub health(client.channel());
  grpc::ClientContext context;
  client.SetDeadline(&context);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = health.Check(&context, request, &response);
  if (!status.ok()) return client.ReportError(status, "health");
  std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                   response.status())
            << "\n";
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
             ? kExitOk
             : kExitFailed;
}

int RunStats(const Client& client, const CommandLine& cl) {
  if (auto s = CheckOptions(cl, {"json"}); !s.ok()) {
    return UsageError(s.message());
  }
  if (cl.positionals.size() != 1) return UsageError("stats takes no arguments");
  auto stub = v1::Admin::NewStub(client.channel());
  grpc::ClientContext context;
  client.SetDeadline(&context);
  v1::StatsResponse stats;
  grpc::Status status = stub->GetStats(&context, v1::GetStatsRequest(), &stats);
  if (!status.ok()) return client.ReportError(status, "stats");
  std::cout << (HasOption(cl, "json") ? ToJson(stats, true)
                                      : FormatStats(stats));
  return kExitOk;
}

int RunBackup(const Client& client, const CommandLine& cl) {
  if (auto s = CheckOptions(cl, {"json"}); !s.ok()) {
    return UsageError(s.message());
  }
  if (cl.positionals.size() != 2) {
    return UsageError("backup takes one argument: the backup directory");
  }
  auto stub = v1::Admin::NewStub(client.channel());
  grpc::ClientContext context;
  client.SetDeadline(&context);
  v1::BackupRequest request;
  request.set_directory(cl.positionals[1]);
  v1::BackupResponse backup;
  grpc::Status status = stub->Backup(&context, request, &backup);
  if (!status.ok()) return client.ReportError(status, "backup");
  if (HasOption(cl, "json")) {
    std::cout << ToJson(backup, true);
  } else {
    std::cout << "backup in " << backup.directory() << ": log position "
              << backup.log_position() << ", alert sequence "
              << backup.alert_sequence() << ", " << backup.files() << " files, "
              << backup.bytes() << " bytes\n";
  }
  return kExitOk;
}

int RunProfiles(const Client& client, const CommandLine& cl) {
  if (auto s = CheckOptions(cl, {"json", "tenant", "shop"}); !s.ok()) {
    return UsageError(s.message());
  }
  if (cl.positionals.size() != 1) {
    return UsageError("profiles takes no arguments (use --tenant, --shop)");
  }
  auto stub = v1::Admin::NewStub(client.channel());
  grpc::ClientContext context;
  client.SetDeadline(&context);
  v1::GetConfigRequest request;
  request.set_tenant(Option(cl, "tenant", ""));
  request.set_shop_id(Option(cl, "shop", ""));
  v1::GetConfigResponse config;
  grpc::Status status = stub->GetConfig(&context, request, &config);
  if (!status.ok()) return client.ReportError(status, "profiles");
  std::cout << (HasOption(cl, "json") ? ToJson(config, true)
                                      : FormatConfig(config));
  return kExitOk;
}

int RunConfig(const Client& client, const CommandLine& cl) {
  const auto& p = cl.positionals;
  auto stub = v1::Admin::NewStub(client.channel());
  grpc::ClientContext context;
  client.SetDeadline(&context);
  if (p.size() == 2 && p[1] == "reload") {
    if (auto s = CheckOptions(cl, {"json"}); !s.ok()) {
      return UsageError(s.message());
    }
    v1::ReloadConfigResponse response;
    grpc::Status status =
        stub->ReloadConfig(&context, v1::ReloadConfigRequest(), &response);
    if (!status.ok()) return client.ReportError(status, "config reload");
    if (HasOption(cl, "json")) {
      std::cout << ToJson(response, true);
      return kExitOk;
    }
    const double ms = response.took().seconds() * 1e3 +
                      response.took().nanos() / 1e6;
    if (response.changed()) {
      std::cout << "reloaded " << response.file() << ": configuration version "
                << response.config_version() << ", "
                << response.shops_reevaluated() << " shops judged again in "
                << absl::StrFormat("%.1f", ms) << " ms\n";
    } else {
      std::cout << response.file() << " is the configuration in force "
                << "(version " << response.config_version()
                << "): nothing changed\n";
    }
    for (const std::string& name : response.needs_restart()) {
      std::cout << "  " << name << " changed: applies at the next restart\n";
    }
    return kExitOk;
  }
  if (p.size() == 2 && p[1] == "show") {
    if (auto s = CheckOptions(cl, {"json", "tenant", "shop"}); !s.ok()) {
      return UsageError(s.message());
    }
    v1::GetConfigRequest request;
    request.set_tenant(Option(cl, "tenant", ""));
    request.set_shop_id(Option(cl, "shop", ""));
    v1::GetConfigResponse config;
    grpc::Status status = stub->GetConfig(&context, request, &config);
    if (!status.ok()) return client.ReportError(status, "config show");
    if (HasOption(cl, "json")) {
      std::cout << ToJson(config, true);
      return kExitOk;
    }
    std::string text;
    google::protobuf::TextFormat::PrintToString(config.file_config(), &text);
    std::cout << "configuration version " << config.config_version()
              << " from "
              << (config.config_file().empty() ? "(no file: built-ins only)"
                                               : config.config_file())
              << "\n"
              << text << "\n"
              << FormatConfig(config);
    return kExitOk;
  }
  return UsageError(
      "usage: config reload [--json] | config show [--tenant T] [--shop S] "
      "[--json]");
}

int RunClock(const Client& client, const CommandLine& cl) {
  if (auto s = CheckOptions(cl, {"json"}); !s.ok()) {
    return UsageError(s.message());
  }
  auto stub = v1::Admin::NewStub(client.channel());
  grpc::ClientContext context;
  client.SetDeadline(&context);
  v1::TestClockResponse response;
  grpc::Status status;
  const auto& p = cl.positionals;
  if (p.size() == 1) {
    status = stub->GetTestClock(&context, v1::GetTestClockRequest(), &response);
  } else if (p.size() == 3 && p[1] == "set") {
    absl::StatusOr<google::protobuf::Timestamp> t = ParseTimestampArg(p[2]);
    if (!t.ok()) return UsageError(t.status().message());
    v1::SetTestClockRequest request;
    *request.mutable_now() = *t;
    status = stub->SetTestClock(&context, request, &response);
  } else if (p.size() == 3 && p[1] == "advance") {
    absl::StatusOr<google::protobuf::Duration> d = ParseDurationArg(p[2]);
    if (!d.ok()) return UsageError(d.status().message());
    v1::AdvanceTestClockRequest request;
    *request.mutable_by() = *d;
    status = stub->AdvanceTestClock(&context, request, &response);
  } else {
    return UsageError(
        "usage: clock | clock set RFC3339 | clock advance DURATION");
  }
  if (!status.ok()) return client.ReportError(status, "clock");
  if (HasOption(cl, "json")) {
    std::cout << ToJson(response, true);
  } else {
    std::cout << "test clock: " << FormatTimestamp(response.now()) << "\n";
  }
  return kExitOk;
}

#ifdef DEPOSITCTL_CLUSTER
int RunCluster(const CommandLine& cl, double timeout_seconds) {
  if (cl.positionals.size() != 2 || cl.positionals[1] != "status") {
    return UsageError("usage: cluster status --nats URLS");
  }
  const std::string urls = Option(cl, "nats", "");
  if (urls.empty()) return UsageError("cluster status needs --nats URLS");
  daemon::NatsClientOptions options;
  options.servers = absl::StrSplit(urls, ',', absl::SkipWhitespace());
  options.flag = "--nats";
  options.name = "depositctl";
  options.request_timeout = absl::Seconds(timeout_seconds);
  absl::StatusOr<std::unique_ptr<daemon::NatsClient>> client =
      daemon::NatsClient::Connect(options);
  if (!client.ok()) {
    std::cerr << "depositctl: " << client.status().message() << "\n";
    return kExitFailed;
  }
  absl::StatusOr<daemon::ClusterStatus> status =
      daemon::ReadClusterStatus(client->get());
  if (!status.ok()) {
    std::cerr << "depositctl: cluster status: " << status.status().message()
              << "\n";
    return kExitFailed;
  }
  std::cout << daemon::FormatClusterStatus(*status, absl::Now());
  return kExitOk;
}
#endif

int Main(int argc, char** argv) {
  absl::StatusOr<CommandLine> cl = ParseCommandLine(argc, argv);
  if (!cl.ok()) return UsageError(cl.status().message());
  if (cl->positionals.empty() || cl->positionals[0] == "help" ||
      HasOption(*cl, "help")) {
    std::cout << kUsage;
    return cl->positionals.empty() && !HasOption(*cl, "help") ? kExitUsage
                                                              : kExitOk;
  }
  if (cl->positionals[0] == "replay-hook") return RunReplayHook(*cl);
  double timeout_seconds = 10;
  if (HasOption(*cl, "timeout") &&
      (!absl::SimpleAtod(Option(*cl, "timeout"), &timeout_seconds) ||
       timeout_seconds <= 0)) {
    return UsageError("--timeout must be a positive number of seconds");
  }
#ifdef DEPOSITCTL_CLUSTER
  // Talks to NATS, not to a depositd.
  if (cl->positionals[0] == "cluster") return RunCluster(*cl, timeout_seconds);
#endif
  std::string addr = "127.0.0.1:50051";
  if (const char* env = std::getenv("DEPOSITD_ADDR"); env && *env) addr = env;
  addr = Option(*cl, "addr", addr);
  ClientChannelOptions channel_options;
  if (const char* env = std::getenv("DEPOSITD_TOKEN"); env && *env) {
    channel_options.token = env;
  }
  channel_options.token = Option(*cl, "token", channel_options.token);
  channel_options.tls = HasOption(*cl, "tls");
  channel_options.tls_ca_file = Option(*cl, "tls-ca", "");
  channel_options.tls_cert_file = Option(*cl, "tls-cert", "");
  channel_options.tls_key_file = Option(*cl, "tls-key", "");
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeClientChannel(addr, channel_options);
  if (!channel.ok()) return UsageError(channel.status().message());
  // The calls below fail fast; ride over one spurious connect failure.
  ConnectEarly(*channel,
               std::min(absl::Seconds(timeout_seconds), absl::Seconds(3)));
  Client client(addr, absl::Seconds(timeout_seconds), *std::move(channel));
  const std::string& command = cl->positionals[0];
  if (command == "send") return RunSend(client, *cl);
  if (command == "shop") return RunShopOrExplain(client, *cl, false);
  if (command == "explain") return RunShopOrExplain(client, *cl, true);
  if (command == "shops") return RunShops(client, *cl);
  if (command == "alerts") return RunAlerts(client, *cl);
  if (command == "health") return RunHealth(client, *cl);
  if (command == "stats") return RunStats(client, *cl);
  if (command == "backup") return RunBackup(client, *cl);
  if (command == "profiles") return RunProfiles(client, *cl);
  if (command == "clock") return RunClock(client, *cl);
  if (command == "config") return RunConfig(client, *cl);
  return UsageError(absl::StrCat("unknown command \"", command, "\""));
}

}  // namespace
}  // namespace depositd::tools

int main(int argc, char** argv) { return depositd::tools::Main(argc, argv); }
