// End-to-end tests of depositctl against the real daemon: the tour files of
// deploy/examples, output, and exit codes (0 ok, 1 rejected / not found,
// 2 usage or connection error).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/feed_samples.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs depositctl with `args`, stdout and stderr to files, and waits.
CommandResult RunDepositctl(const std::vector<std::string>& args) {
  const std::string dir = ::testing::TempDir();
  const std::string out_path =
      absl::StrCat(dir, "/depositctl-out-", getpid(), ".txt");
  const std::string err_path =
      absl::StrCat(dir, "/depositctl-err-", getpid(), ".txt");
  std::vector<std::string> argv_s = {DEPOSITCTL_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  CommandResult result;
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  return result;
}

std::string Example(const std::string& name) {
  return absl::StrCat(DEPOSITD_EXAMPLES_DIR, "/", name);
}

std::string Describe(const CommandResult& r) {
  return absl::StrCat("exit ", r.exit_code, "\nstdout:\n", r.out, "\nstderr:\n",
                      r.err);
}

class DepositctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DaemonHarness::Options options;
    options.test_clock_start = "2026-03-05T00:00:00Z";
    absl::StatusOr<std::unique_ptr<DaemonHarness>> d =
        DaemonHarness::Start(options);
    ASSERT_TRUE(d.ok()) << d.status();
    daemon_ = *std::move(d);
  }
  void TearDown() override {
    if (daemon_ != nullptr && daemon_->running()) {
      EXPECT_TRUE(daemon_->Stop().ok()) << daemon_->LogTail();
    }
  }
  CommandResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--addr", daemon_->address()});
    return RunDepositctl(args);
  }

  std::unique_ptr<DaemonHarness> daemon_;
};

TEST_F(DepositctlTest, TourNotReadyThenReadyAt) {
  CommandResult r = Ctl({"health"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "SERVING\n");

  r = Ctl({"send", Example("tour-events.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("applied 18, duplicate 0, rejected 0"))
      << Describe(r);

  r = Ctl({"shop", "acme", "tts-us-001"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("NOT_READY"));
  EXPECT_THAT(r.out, HasSubstr("R3_OPEN_DISPUTES"));
  EXPECT_THAT(r.out, HasSubstr("atoz-2001"));
  EXPECT_THAT(r.out, HasSubstr("R4_UNPAID_FEES"));
  EXPECT_THAT(r.out, HasSubstr("USD 35.00"));
  EXPECT_THAT(r.out, HasSubstr("USD 500.00"));
  EXPECT_THAT(r.out, Not(HasSubstr("R8_REFUND_ACCOUNT")));
  EXPECT_THAT(r.out, HasSubstr("refundable  USD 500.00"));
  // Blockers needing an action remain: the projection says it is
  // conditional (issue 13 point 2).
  EXPECT_THAT(r.out, HasSubstr("refund projection (conditional"));

  // Sending again is safe: all duplicates, exit 0.
  r = Ctl({"send", Example("tour-events.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("applied 0, duplicate 18, rejected 0"));

  r = Ctl({"explain", "acme", "tts-us-001"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("evidence"));
  EXPECT_THAT(r.out, HasSubstr("tour-015"));  // The A-to-Z claim's event.

  r = Ctl({"clock", "set", "2026-03-10T12:00:00Z"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("2026-03-10T12:00:00Z"));

  r = Ctl({"send", Example("tour-events-2.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("applied 3, duplicate 0, rejected 0"));

  r = Ctl({"shop", "acme", "tts-us-001"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("READY_AT"));
  EXPECT_THAT(r.out, HasSubstr("2026-04-01"));
  EXPECT_THAT(r.out, HasSubstr("2026-04-22"));
  EXPECT_THAT(r.out, Not(HasSubstr("R3_OPEN_DISPUTES")));

  // --json is the ReadinessReport in protobuf's JSON mapping.
  r = Ctl({"shop", "acme", "tts-us-001", "--json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("\"verdict\": \"READY_AT\""));

  r = Ctl({"shops", "--tenant", "acme"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("tts-us-001"));
  EXPECT_THAT(r.out, HasSubstr("1 shops"));

  r = Ctl({"stats"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("events_applied"));

  // The effective profiles and their calendars (issue 13 point 6).
  r = Ctl({"profiles"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("shopee"));
  EXPECT_THAT(r.out, HasSubstr("Asia/Singapore"));
  EXPECT_THAT(r.out, HasSubstr("reopen_cooling_off_months: 6"));
  r = Ctl({"profiles", "--json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("\"reviewStartsAtRefundRequest\": true"));
}

TEST_F(DepositctlTest, RejectionsAreListedWithLineNumbersAndExitOne) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/bad-events-", getpid(), ".jsonl");
  {
    std::ofstream out(path);
    out << "# line 1 is a comment\n"
        << R"({"eventId":"b-1","tenant":"acme","shopId":"s-bad","occurredAt":"2026-01-05T00:00:00Z","shopRegistered":{"profile":"generic","site":"CN"}})"
        << "\n"
        << "{this is not json\n"  // Line 3: rejected locally.
        << "\n"
        // Line 5: negative amount, rejected by the daemon.
        << R"({"eventId":"b-2","tenant":"acme","shopId":"s-bad","occurredAt":"2026-01-06T00:00:00Z","feeCharged":{"feeId":"f","category":"FINE","amount":{"minorUnits":"-5","currency":"USD"}}})"
        << "\n"
        << R"({"eventId":"b-3","tenant":"acme","shopId":"s-bad","occurredAt":"2026-01-07T00:00:00Z","orderStatusChanged":{"orderId":"o1","status":"PLACED"}})"
        << "\n";
  }
  CommandResult r = Ctl({"send", path, "--batch", "2"});
  unlink(path.c_str());
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("applied 2, duplicate 0, rejected 2"))
      << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("line 3: -: not a valid event"));
  EXPECT_THAT(r.out, HasSubstr("line 5: b-2: "));
}

TEST_F(DepositctlTest, ErrorsAndExitCodes) {
  // Usage errors: 2.
  EXPECT_EQ(Ctl({}).exit_code, 2);
  EXPECT_EQ(Ctl({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Ctl({"shop", "only-tenant"}).exit_code, 2);
  EXPECT_EQ(Ctl({"shops", "--verdict", "MAYBE"}).exit_code, 2);
  EXPECT_EQ(Ctl({"send", "/no/such/file.jsonl"}).exit_code, 2);
  // A shop that does not exist: the daemon answered NOT_FOUND, exit 1.
  CommandResult r = Ctl({"shop", "acme", "no-such-shop"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));

  // Nothing listening: a clear connection error and exit 2.
  const std::string addr = daemon_->address();
  ASSERT_TRUE(daemon_->Stop().ok());
  r = RunDepositctl({"--addr", addr, "--timeout", "3", "health"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("cannot reach depositd at " + addr));
  r = RunDepositctl(
      {"--addr", addr, "--timeout", "3", "send", Example("tour-events.jsonl")});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("cannot reach depositd"));
}

TEST_F(DepositctlTest, AlertsListAndWatchFromASequence) {
  // Example 3 of domain.md §7: refund account B, paid from A.
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/mismatch-", getpid(), ".jsonl");
  {
    std::ofstream out(path);
    out << R"({"eventId":"mm-1","tenant":"acme","shopId":"mm","occurredAt":"2026-01-05T00:00:00Z","shopRegistered":{"profile":"douyin","site":"CN"}})"
        << "\n"
        << R"({"eventId":"mm-2","tenant":"acme","shopId":"mm","occurredAt":"2026-01-05T01:00:00Z","depositPaid":{"paymentId":"p1","kind":"BASE","amount":{"minorUnits":"3000000","currency":"CNY"},"channel":"corporate_account","payingAccount":"corp-A"}})"
        << "\n"
        << R"({"eventId":"mm-3","tenant":"acme","shopId":"mm","occurredAt":"2026-01-06T00:00:00Z","refundAccountSet":{"channel":"corporate_account","account":"corp-B","currency":"CNY"}})"
        << "\n";
  }
  CommandResult r = Ctl({"send", path});
  unlink(path.c_str());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);

  r = Ctl({"alerts", "list", "--shop", "mm"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("FIRING"));
  EXPECT_THAT(r.out, HasSubstr("ACCOUNT_MISMATCH"));

  // watch streams forever; bound it with the daemon's shutdown: stop the
  // daemon shortly after, and check what was printed before.
  const std::string addr = daemon_->address();
  std::string out_path =
      absl::StrCat(::testing::TempDir(), "/watch-", getpid(), ".txt");
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, STDOUT_FILENO);
    execl(DEPOSITCTL_BINARY, DEPOSITCTL_BINARY, "--addr", addr.c_str(),
          "alerts", "watch", "--from", "1", "--shop", "mm", "--json",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  // Give it time to replay, then end the stream by stopping the daemon.
  std::string printed;
  for (int i = 0; i < 100 && !absl::StrContains(printed, "ACCOUNT_MISMATCH");
       ++i) {
    usleep(50 * 1000);
    printed = ReadFile(out_path);
  }
  EXPECT_TRUE(daemon_->Stop().ok());
  int status = 0;
  for (int i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; ++i) {
    usleep(50 * 1000);
  }
  if (waitpid(pid, &status, WNOHANG) == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ADD_FAILURE() << "alerts watch did not end when the daemon stopped";
  }
  printed = ReadFile(out_path);
  unlink(out_path.c_str());
  EXPECT_THAT(printed, HasSubstr("\"kind\":\"ACCOUNT_MISMATCH\"")) << printed;
  EXPECT_THAT(printed, HasSubstr("\"state\":\"FIRING\""));
}

// replay-hook: each platform's sample sequence (tests/data/feeds) sent
// through /hooks/<platform>, signed with the test secret the daemon is
// configured with, at a time near the daemon's test clock. The answers are
// the platforms' own; the shop moves; the same replay again changes
// nothing; a wrong secret is answered 401 and exit 1.
TEST(DepositctlReplayHookTest, EachPlatformsSequenceThroughItsHook) {
  namespace samples = feeds::samples;
  ScopedTempDir dir("replay-hook");
  DaemonHarness::Options options;
  options.test_clock_start = "2026-03-05T00:00:00Z";
  options.extra_args = {"--config", samples::WriteFeedsConfig(dir.path())};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  DaemonHarness& d = **daemon;
  const std::string wrong =
      WriteFile(dir.path(), "wrong.secret", "wrong-secret-0123456789\n");
  for (const std::string& platform : samples::Platforms()) {
    SCOPED_TRACE(platform);
    const feeds::FeedApp app = samples::TestApp(platform);
    auto replay = [&](const std::string& file, const std::string& secret) {
      std::vector<std::string> args = {"replay-hook",
                                       platform,
                                       file,
                                       "--edge",
                                       d.http_url(),
                                       "--signed-at",
                                       "2026-03-04T23:59:00Z"};
      if (platform == "amazon") {
        args.insert(args.end(), {"--tenant", "acme"});
      } else {
        args.insert(args.end(), {"--secret-file", secret});
      }
      if (!app.app_key.empty())
        args.insert(args.end(), {"--app-key", app.app_key});
      if (platform == "shopee") {
        args.insert(args.end(), {"--callback-url", samples::kShopeeUrl});
      }
      return RunDepositctl(args);
    };
    const std::string secret =
        WriteFile(dir.path(), "ctl-" + platform + ".secret", app.secret);
    const std::string answer = platform == "douyin"
                                   ? R"({"code":0,"msg":"success"})"
                               : platform == "temu" ? R"({"result":{}})"
                                                    : "";
    std::string shop;
    int64_t events = 0;
    const std::vector<std::string> files =
        samples::SampleFiles(platform, "seq-");
    ASSERT_FALSE(files.empty());
    for (const std::string& file : files) {
      absl::StatusOr<samples::Sample> sample = samples::LoadSample(file);
      ASSERT_TRUE(sample.ok()) << sample.status();
      shop = sample->expect[0].substr(0, sample->expect[0].find(' '));
      events += static_cast<int64_t>(sample->expect.size());
      const CommandResult r = replay(file, secret);
      EXPECT_EQ(r.exit_code, 0) << file << "\n" << Describe(r);
      EXPECT_EQ(r.out,
                absl::StrCat("HTTP 200\n", answer, answer.empty() ? "" : "\n"))
          << file;
    }
    absl::StatusOr<v1::ReadinessReport> report =
        GetShop(d.channel(), "acme", shop);
    ASSERT_TRUE(report.ok()) << shop << ": " << report.status();
    EXPECT_EQ(report->events_applied(), events);
    // The same replay again: answered the same, applied once.
    EXPECT_EQ(replay(files[0], secret).exit_code, 0);
    if (platform != "amazon") {
      const CommandResult refused = replay(files[0], wrong);
      EXPECT_EQ(refused.exit_code, 1) << Describe(refused);
      EXPECT_THAT(refused.out, HasSubstr("HTTP 401")) << Describe(refused);
    }
    report = GetShop(d.channel(), "acme", shop);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->events_applied(), events);
  }
  // Usage errors: exit 2, nothing sent.
  const std::string any = samples::SampleFiles("tiktok", "seq-")[0];
  const std::string edge = d.http_url();
  EXPECT_EQ(RunDepositctl({"replay-hook", "ebay", any, "--secret-file", wrong,
                           "--app-key", "k", "--edge", edge})
                .exit_code,
            2);
  EXPECT_EQ(RunDepositctl({"replay-hook", "tiktok", any, "--app-key", "k",
                           "--edge", edge})
                .exit_code,
            2);  // no --secret-file
  EXPECT_EQ(
      RunDepositctl({"replay-hook", "tiktok", dir.path() + "/missing",
                     "--secret-file", wrong, "--app-key", "k", "--edge", edge})
          .exit_code,
      2);
  EXPECT_TRUE(d.Stop().ok()) << d.LogTail();
}

}  // namespace
}  // namespace depositd::integration
