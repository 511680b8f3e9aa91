// End to end against a real Prometheus Alertmanager (Debian's
// prometheus-alertmanager), started on 127.0.0.1 by the test: depositd posts
// an alert to Alertmanager's API v2, Alertmanager shows it firing through its
// own API (and notifies its receiver), then resolved once the condition
// clears; and an UPDATED alert replaces its annotations there.
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
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/http_client.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/http_receiver.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

using daemon::HttpClient;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs prometheus-alertmanager on 127.0.0.1 with its storage in a temporary
// folder and no clustering; SIGKILLed at the latest in the destructor (and
// when the test process dies). Not thread-safe.
class Alertmanager {
 public:
  static absl::StatusOr<std::unique_ptr<Alertmanager>> Start(
      const std::string& dir, const std::string& config_yaml) {
    if (access(ALERTMANAGER_BINARY, X_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          ALERTMANAGER_BINARY,
          " is missing: install the test dependencies with "
          "DEPOSITD_TEST_DEPS=1 deploy/install-deps.sh (CI installs it)"));
    }
    std::unique_ptr<Alertmanager> am(new Alertmanager());
    am->port_ = FreeLoopbackPort();
    am->log_path_ = dir + "/alertmanager.log";
    const std::string config = WriteFile(dir, "alertmanager.yml", config_yaml);
    const std::string storage = dir + "/am-data";
    std::vector<std::string> args = {
        ALERTMANAGER_BINARY,
        "--config.file=" + config,
        "--storage.path=" + storage,
        absl::StrCat("--web.listen-address=127.0.0.1:", am->port_),
        "--cluster.listen-address=",
        "--log.level=info",
    };
    const pid_t pid = fork();
    if (pid < 0) {
      return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int fd =
          open(am->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
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
    am->pid_ = pid;
    // Ready when its own readiness endpoint answers 200.
    HttpClient http;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        am->pid_ = -1;
        return absl::UnavailableError(absl::StrCat(
            "alertmanager exited at start:\n", ReadFile(am->log_path_)));
      }
      if (http.Get(am->Url("/-/ready"), {}, absl::Seconds(2)).status == 200) {
        return am;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return absl::UnavailableError(absl::StrCat(
        "alertmanager not ready within 30 s:\n", ReadFile(am->log_path_)));
  }

  ~Alertmanager() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }

  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  std::string Log() const { return ReadFile(log_path_); }

 private:
  Alertmanager() = default;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string log_path_;
};

// Alertmanager's alerts whose labels include every pair of `labels`, from
// its own API (GET /api/v2/alerts: active, silenced and inhibited alerts;
// resolved ones are not listed).
std::vector<google::protobuf::Struct> AlertsWithLabels(
    const std::string& base_url,
    const std::vector<std::pair<std::string, std::string>>& labels,
    std::string* raw) {
  HttpClient http;
  HttpClient::Response r =
      http.Get(base_url + "/api/v2/alerts", {}, absl::Seconds(5));
  *raw = absl::StrCat("HTTP ", r.status, " ", r.error, r.body);
  std::vector<google::protobuf::Struct> out;
  if (r.status != 200) return out;
  google::protobuf::ListValue list;
  if (!google::protobuf::util::JsonStringToMessage(r.body, &list).ok()) {
    ADD_FAILURE() << "not a JSON array: " << r.body;
    return out;
  }
  for (const google::protobuf::Value& v : list.values()) {
    const auto& fields = v.struct_value().fields();
    auto l = fields.find("labels");
    if (l == fields.end()) continue;
    const auto& have = l->second.struct_value().fields();
    bool all = true;
    for (const auto& [k, want] : labels) {
      auto it = have.find(k);
      all = all && it != have.end() && it->second.string_value() == want;
    }
    if (all) out.push_back(v.struct_value());
  }
  return out;
}

std::string State(const google::protobuf::Struct& alert) {
  auto s = alert.fields().find("status");
  if (s == alert.fields().end()) return "";
  auto st = s->second.struct_value().fields().find("state");
  return st == s->second.struct_value().fields().end()
             ? ""
             : st->second.string_value();
}

bool PollUntil(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return done();
}

TEST(AlertmanagerE2eTest, AlertFiresThenResolvesInAlertmanager) {
  // Alertmanager notifies this receiver (webhook_configs), so the test also
  // sees Alertmanager act on depositd's alerts.
  absl::StatusOr<std::unique_ptr<HttpReceiver>> receiver =
      HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  ScopedTempDir temp("alertmanager-e2e");
  const std::string& dir = temp.path();
  absl::StatusOr<std::unique_ptr<Alertmanager>> am = Alertmanager::Start(
      dir, absl::StrFormat(R"yaml(
route:
  receiver: ops
  group_by: [alertname, tenant, shop_id]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: ops
    webhook_configs:
      - url: %s
        send_resolved: true
)yaml",
                           (*receiver)->Url("/alertmanager-notify")));
  ASSERT_TRUE(am.ok()) << am.status();

  DaemonHarness::Options options;
  options.test_clock = false;  // Alertmanager runs on the wall clock
  options.extra_args = {
      "--config",
      WriteFile(
          dir, "depositd.textproto",
          absl::StrFormat(R"pb(
                            sinks { name: "am" type: ALERTMANAGER url: "%s" }
                            routes { sinks: "am" }
                          )pb",
                          (*am)->Url("")))};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto channel = (*daemon)->channel();

  // domain.md §7 example 3: refund account B, deposit paid from A.
  ShopEvents shop("acme", "am-shop");
  ASSERT_TRUE(
      Publish(channel,
              {shop.Registered("a-1", "2026-01-05T00:00:00Z", "douyin", "CN"),
               shop.DepositPaid("a-2", "2026-01-05T01:00:00Z", "dep-1", 3000000,
                                "CNY", "corporate_account", "corp-A"),
               shop.RefundAccountSet("a-3", "2026-01-06T00:00:00Z",
                                     "corporate_account", "corp-B", "CNY")})
          .ok());

  const std::vector<std::pair<std::string, std::string>> labels = {
      {"alertname", "ACCOUNT_MISMATCH"},
      {"tenant", "acme"},
      {"shop_id", "am-shop"},
      {"source", "depositd"}};
  std::string raw;
  bool firing = PollUntil(
      [&] {
        for (const auto& a : AlertsWithLabels((*am)->Url(""), labels, &raw)) {
          if (State(a) == "active") return true;
        }
        return false;
      },
      absl::Seconds(30));
  ASSERT_TRUE(firing) << "Alertmanager does not show the alert active; last "
                         "answer: "
                      << raw << "\ndepositd:\n"
                      << (*daemon)->LogTail() << "\nalertmanager:\n"
                      << (*am)->Log();
  // Alertmanager notified its receiver of the firing alert.
  EXPECT_TRUE((*receiver)->WaitFor(
      [](const std::vector<RecordedRequest>& r) {
        for (const RecordedRequest& q : r) {
          if (absl::StrContains(q.body, "\"status\":\"firing\"") &&
              absl::StrContains(q.body, "am-shop")) {
            return true;
          }
        }
        return false;
      },
      absl::Seconds(30)))
      << (*am)->Log();

  // Fix the account: the alert resolves in depositd, then in Alertmanager.
  ASSERT_TRUE(Publish(channel, {shop.RefundAccountSet(
                                   "a-4", "2026-01-07T00:00:00Z",
                                   "corporate_account", "corp-A", "CNY")})
                  .ok());
  bool resolved = PollUntil(
      [&] {
        for (const auto& a : AlertsWithLabels((*am)->Url(""), labels, &raw)) {
          if (State(a) == "active") return false;
        }
        return absl::StartsWith(raw, "HTTP 200");
      },
      absl::Seconds(30));
  EXPECT_TRUE(resolved) << "still active in Alertmanager; last answer: " << raw
                        << "\ndepositd:\n"
                        << (*daemon)->LogTail();
  EXPECT_TRUE((*receiver)->WaitFor(
      [](const std::vector<RecordedRequest>& r) {
        for (const RecordedRequest& q : r) {
          if (absl::StrContains(q.body, "\"status\":\"resolved\"") &&
              absl::StrContains(q.body, "am-shop")) {
            return true;
          }
        }
        return false;
      },
      absl::Seconds(30)))
      << (*am)->Log();
  EXPECT_TRUE((*daemon)->Stop().ok());
}

std::string Description(const google::protobuf::Struct& alert) {
  auto a = alert.fields().find("annotations");
  if (a == alert.fields().end()) return "";
  const auto& fields = a->second.struct_value().fields();
  auto d = fields.find("description");
  return d == fields.end() ? "" : d->second.string_value();
}

// domain.md §5, "the evidence is always current": a closure blocked by an
// open claim and an unpaid fee shows both blockers in Alertmanager; once the
// fee is paid, depositd's UPDATED re-posts the same alert (same labels) and
// Alertmanager's copy no longer lists the fee.
TEST(AlertmanagerE2eTest, UpdatedEvidenceReplacesTheAnnotations) {
  ScopedTempDir temp("alertmanager-update");
  const std::string& dir = temp.path();
  absl::StatusOr<std::unique_ptr<Alertmanager>> am =
      Alertmanager::Start(dir, R"yaml(
route:
  receiver: none
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: none
)yaml");
  ASSERT_TRUE(am.ok()) << am.status();
  DaemonHarness::Options options;
  options.test_clock = false;  // Alertmanager runs on the wall clock
  options.extra_args = {
      "--config",
      WriteFile(dir, "depositd.textproto",
                absl::StrFormat(
                    R"pb(
                      sinks { name: "am" type: ALERTMANAGER url: "%s" }
                      routes { sinks: "am" kinds: CLOSURE_BLOCKED }
                    )pb",
                    (*am)->Url("")))};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto channel = (*daemon)->channel();

  ShopEvents shop("acme", "am-closing");
  ASSERT_TRUE(Publish(channel, shop.ClosedNotReadyTour("c-")).ok());
  const std::vector<std::pair<std::string, std::string>> labels = {
      {"alertname", "CLOSURE_BLOCKED"},
      {"tenant", "acme"},
      {"shop_id", "am-closing"}};
  std::string raw;
  std::string description;
  auto active_description = [&] {
    for (const auto& a : AlertsWithLabels((*am)->Url(""), labels, &raw)) {
      if (State(a) == "active") {
        description = Description(a);
        return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(PollUntil(
      [&] {
        return active_description() &&
               absl::StrContains(description, "R4 unpaid fees");
      },
      absl::Seconds(30)))
      << "last answer: " << raw << "\ndepositd:\n"
      << (*daemon)->LogTail() << "\nalertmanager:\n"
      << (*am)->Log();
  EXPECT_TRUE(absl::StrContains(description, "R3 open disputes"))
      << description;

  ASSERT_TRUE(Publish(channel, {shop.FeePaid("c-10", "2026-03-10T03:00:00Z",
                                             "ads-1", 3500, "USD")})
                  .ok());
  EXPECT_TRUE(PollUntil(
      [&] {
        return active_description() &&
               !absl::StrContains(description, "R4 unpaid fees");
      },
      absl::Seconds(30)))
      << "still lists the paid fee: " << description << "\ndepositd:\n"
      << (*daemon)->LogTail();
  EXPECT_TRUE(absl::StrContains(description, "R3 open disputes"))
      << description;
  EXPECT_TRUE(absl::StrContains(description, "UPDATED")) << description;
  EXPECT_TRUE((*daemon)->Stop().ok());
}

}  // namespace
}  // namespace depositd::integration
