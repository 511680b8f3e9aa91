// Chat robots end to end: the real depositd delivering to local receivers
// that answer like DingTalk, Feishu, WeCom and Slack do, HTTP 200 with the
// verdict in the body. A throttled alert arrives later; a refused one is
// logged, counted and raises SINK_FAILING at the other sink (a webhook), and
// is never reported delivered; a burst of 100 transitions to a robot that
// enforces its rate reaches it whole (singly or in digests), in order per
// shop, without one throttling answer.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/http_receiver.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<DaemonHarness> StartDaemon(const std::string& config_dir,
                                           const std::string& config) {
  DaemonHarness::Options options;
  options.extra_args = {"--config",
                        WriteFile(config_dir, "depositd.textproto", config)};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  EXPECT_TRUE(daemon.ok()) << daemon.status();
  return daemon.ok() ? *std::move(daemon) : nullptr;
}

// Shops whose refund account flips between the paying account (alert
// resolved) and another one (ACCOUNT_MISMATCH firing): one transition per
// shop per round.
std::vector<v1::Event> ShopSetup(const std::vector<ShopEvents>& shops) {
  std::vector<v1::Event> out;
  for (const ShopEvents& s : shops) {
    out.push_back(s.Registered(s.shop_id() + "-reg", "2026-01-05T00:00:00Z",
                               "douyin", "CN"));
    out.push_back(s.DepositPaid(s.shop_id() + "-dep", "2026-01-05T01:00:00Z",
                                "dep-1", 3000000, "CNY", "corporate_account",
                                "corp-A"));
  }
  return out;
}

std::vector<v1::Event> FlipRound(const std::vector<ShopEvents>& shops,
                                 int round) {
  std::vector<v1::Event> out;
  const std::string at = absl::FormatTime(
      absl::RFC3339_sec,
      absl::FromCivil(absl::CivilHour(2026, 1, 6, 0), absl::UTCTimeZone()) +
          absl::Hours(round),
      absl::UTCTimeZone());
  for (const ShopEvents& s : shops) {
    out.push_back(s.RefundAccountSet(
        absl::StrCat(s.shop_id(), "-r", round), at, "corporate_account",
        round % 2 == 1 ? "corp-B" : "corp-A", "CNY"));
  }
  return out;
}

// Every "sequence N" / "序号 N" a robot body names, in order.
std::vector<uint64_t> SequencesIn(const std::string& body) {
  static const std::regex kSeq("(?:sequence|序号) ([0-9]+)");
  std::vector<uint64_t> out;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), kSeq);
       it != std::sregex_iterator(); ++it) {
    uint64_t n = 0;
    if (absl::SimpleAtoi((*it)[1].str(), &n)) out.push_back(n);
  }
  return out;
}

// How a robot answers.
struct Robot {
  std::string type;       // SinkType name
  std::string throttled;  // its "too fast" answer (HTTP 200)
  std::string refused;    // a permanent refusal (HTTP 200 unless Slack)
  int refused_status;
  std::string ok;      // success
  std::string reason;  // the refusal's reason as depositd names it
};

std::vector<Robot> Robots() {
  return {
      {"DINGTALK", R"({"errcode":130101,"errmsg":"send too fast"})",
       R"({"errcode":310000,"errmsg":"keywords not in content"})", 200,
       R"({"errcode":0,"errmsg":"ok"})", "dingtalk errcode 310000"},
      {"FEISHU", R"({"code":11232,"msg":"frequency limited"})",
       R"({"code":19021,"msg":"sign match fail"})", 200,
       R"({"code":0,"msg":"success","data":{}})", "feishu code 19021"},
      {"WECOM", R"({"errcode":45009,"errmsg":"api freq out of limit"})",
       R"({"errcode":93000,"errmsg":"invalid webhook url"})", 200,
       R"({"errcode":0,"errmsg":"ok"})", "wecom errcode 93000"},
      {"SLACK", "", "invalid_token", 403, "ok", "HTTP 403"},
  };
}

void PrintTo(const Robot& r, std::ostream* os) { *os << r.type; }

class RobotAnswersTest : public ::testing::TestWithParam<Robot> {};

TEST_P(RobotAnswersTest, ThrottledLaterRefusedRaisesSinkFailingNeverDelivered) {
  const Robot& robot = GetParam();
  absl::StatusOr<std::unique_ptr<HttpReceiver>> robot_rx =
      HttpReceiver::Start();
  absl::StatusOr<std::unique_ptr<HttpReceiver>> hook_rx = HttpReceiver::Start();
  ASSERT_TRUE(robot_rx.ok() && hook_rx.ok());
  HttpReceiver& bot = **robot_rx;
  HttpReceiver& hook = **hook_rx;
  // First answer "too fast" (Slack: 429), then success; the third request
  // is refused for good; then success again.
  if (robot.throttled.empty()) {
    bot.TooManyRequestsNext(1, "1");
  } else {
    bot.AnswerNext(1, 200, robot.throttled);
  }
  bot.AnswerNext(1, 200, robot.ok);
  bot.AnswerNext(1, robot.refused_status, robot.refused);
  bot.SetResponder([ok = robot.ok](const RecordedRequest&) {
    HttpReceiver::Reply r;
    r.body = ok;
    return r;
  });

  ScopedTempDir temp("robot-answers");
  auto daemon = StartDaemon(
      temp.path(), absl::StrFormat(
                       R"pb(
                         tenants { tenant: "acme" language: "zh-CN" }
                         sinks {
                           name: "robot"
                           type: %s
                           url: "%s"
                           pace { messages: 100 per_ms: 1000 }
                         }
                         sinks { name: "ops-hook" type: WEBHOOK url: "%s" }
                         routes {
                           sinks: "robot"
                           sinks: "ops-hook"
                           repeat_interval_minutes: 525600
                         }
                       )pb",
                       robot.type, bot.Url("/robot"), hook.Url("/hook")));
  ASSERT_NE(daemon, nullptr);
  const std::vector<ShopEvents> shops = {ShopEvents("acme", "shop-1")};

  // Transition 1: throttled, then delivered.
  std::vector<v1::Event> first = ShopSetup(shops);
  for (v1::Event& e : FlipRound(shops, 1)) first.push_back(std::move(e));
  ASSERT_TRUE(Publish(daemon->channel(), first).ok());
  ASSERT_TRUE(bot.WaitFor([](const auto& r) { return r.size() >= 2; },
                          absl::Seconds(30)))
      << daemon->LogTail();
  // Transition 2: refused for good.
  ASSERT_TRUE(Publish(daemon->channel(), FlipRound(shops, 2)).ok());
  ASSERT_TRUE(bot.WaitFor([](const auto& r) { return r.size() >= 3; },
                          absl::Seconds(30)));
  // The webhook hears about the failing robot.
  auto sink_failing = [](const RecordedRequest& r, const std::string& state) {
    return absl::StrContains(r.body, R"("kind":"SINK_FAILING")") &&
           absl::StrContains(r.body, R"("subject":"robot")") &&
           absl::StrContains(r.body, absl::StrCat(R"("state":")", state, "\""));
  };
  ASSERT_TRUE(hook.WaitFor(
      [&](const auto& rs) {
        return std::any_of(rs.begin(), rs.end(), [&](const auto& r) {
          return sink_failing(r, "FIRING");
        });
      },
      absl::Seconds(30)))
      << daemon->LogTail();
  // Transition 3: delivered, and SINK_FAILING resolves.
  ASSERT_TRUE(Publish(daemon->channel(), FlipRound(shops, 3)).ok());
  ASSERT_TRUE(hook.WaitFor(
      [&](const auto& rs) {
        return std::any_of(rs.begin(), rs.end(), [&](const auto& r) {
          return sink_failing(r, "RESOLVED");
        });
      },
      absl::Seconds(30)))
      << daemon->LogTail();

  const std::vector<RecordedRequest> bot_requests = bot.requests();
  ASSERT_GE(bot_requests.size(), 4u);
  // The throttled transition came again and was accepted.
  const std::vector<uint64_t> first_seqs = SequencesIn(bot_requests[0].body);
  ASSERT_FALSE(first_seqs.empty()) << bot_requests[0].body;
  EXPECT_EQ(SequencesIn(bot_requests[1].body), first_seqs);
  const uint64_t refused_seq = SequencesIn(bot_requests[2].body).at(0);
  // The refused transition was not sent again (refusals are final) and the
  // next one went on.
  for (size_t i = 3; i < bot_requests.size(); ++i) {
    for (uint64_t seq : SequencesIn(bot_requests[i].body)) {
      EXPECT_NE(seq, refused_seq) << "request " << i;
    }
  }
  // The SINK_FAILING alert names the cause and the refused alert, in the
  // tenant's language.
  for (const RecordedRequest& r : hook.requests()) {
    if (!sink_failing(r, "FIRING")) continue;
    EXPECT_THAT(r.body, HasSubstr(robot.reason));
    EXPECT_THAT(r.body, HasSubstr("\"refused_alert\":"
                                  "\"acme/shop-1/ACCOUNT_MISMATCH\""));
    EXPECT_THAT(r.body, HasSubstr("通知渠道"));
  }
  // Logged once, with the sink and the alert key.
  const std::string log = daemon->LogTail(400);
  EXPECT_THAT(log, HasSubstr(absl::StrCat("sink robot: ERROR: acme/shop-1/"
                                          "ACCOUNT_MISMATCH #",
                                          refused_seq)));
  EXPECT_THAT(log, HasSubstr(robot.reason));
  // Nothing refused is reported delivered: the daemon's own figures. The
  // worker counts a delivery after the POST returns, which may be after the
  // webhook heard the SINK_FAILING it resolved: wait for the count.
  absl::StatusOr<v1::StatsResponse> stats;
  const v1::SinkDeliveryStats* robot_stats = nullptr;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  for (;;) {
    stats = GetStats(daemon->channel());
    ASSERT_TRUE(stats.ok()) << stats.status();
    robot_stats = nullptr;
    for (const v1::SinkDeliveryStats& s : stats->sinks()) {
      if (s.name() == "robot") robot_stats = &s;
    }
    ASSERT_NE(robot_stats, nullptr);
    if (robot_stats->delivered() >= 2 || absl::Now() > give_up) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(robot_stats->delivered(), 2);
  EXPECT_EQ(robot_stats->refused(), 1);
  EXPECT_EQ(robot_stats->refused_by_reason().at(robot.reason), 1);
  EXPECT_EQ(robot_stats->throttled(), 1);
  EXPECT_FALSE(robot_stats->failing());
  EXPECT_TRUE(daemon->Stop().ok());
}

INSTANTIATE_TEST_SUITE_P(EachRobot, RobotAnswersTest,
                         ::testing::ValuesIn(Robots()),
                         [](const ::testing::TestParamInfo<Robot>& info) {
                           return info.param.type;
                         });

TEST(RobotPaceTest, BurstOf100ReachesADingTalkLimitedRobotInOrder) {
  // A DingTalk-like robot that enforces 20 messages per window, as DingTalk
  // does per minute (a short window here, set the same in the sink's pace,
  // so that the test takes seconds): one more is answered 130101.
  constexpr int kLimit = 20;
  const absl::Duration kWindow = absl::Milliseconds(1500);
  absl::StatusOr<std::unique_ptr<HttpReceiver>> robot_rx =
      HttpReceiver::Start();
  ASSERT_TRUE(robot_rx.ok());
  HttpReceiver& bot = **robot_rx;
  auto accepted = std::make_shared<std::vector<absl::Time>>();
  auto throttled = std::make_shared<int>(0);
  bot.SetResponder([=](const RecordedRequest& r) {
    HttpReceiver::Reply reply;
    int in_window = 0;
    for (absl::Time t : *accepted) {
      if (t > r.received_at - kWindow) ++in_window;
    }
    if (in_window >= kLimit) {
      ++*throttled;
      reply.body = R"({"errcode":130101,"errmsg":"send too fast"})";
    } else {
      accepted->push_back(r.received_at);
      reply.body = R"({"errcode":0,"errmsg":"ok"})";
    }
    return reply;
  });

  ScopedTempDir temp("robot-pace");
  auto daemon = StartDaemon(
      temp.path(),
      absl::StrFormat(
          R"pb(
            tenants { tenant: "acme" language: "en" }
            sinks {
              name: "dingtalk"
              type: DINGTALK
              url: "%s"
              pace { messages: %d per_ms: %d }
            }
            routes { sinks: "dingtalk" repeat_interval_minutes: 525600 }
          )pb",
          bot.Url("/robot/send?access_token=t"), kLimit,
          absl::ToInt64Milliseconds(kWindow)));
  ASSERT_NE(daemon, nullptr);

  // 10 shops x 10 rounds: 100 transitions within a few milliseconds (one
  // batch per round: a shop's alerts are evaluated once per batch).
  std::vector<ShopEvents> shops;
  for (int i = 0; i < 10; ++i) shops.emplace_back("acme", absl::StrCat("s", i));
  ASSERT_TRUE(Publish(daemon->channel(), ShopSetup(shops)).ok());
  for (int round = 1; round <= 10; ++round) {
    ASSERT_TRUE(
        Publish(daemon->channel(), FlipRound(shops, round), round + 1).ok());
  }
  absl::StatusOr<v1::StatsResponse> stats = GetStats(daemon->channel());
  ASSERT_TRUE(stats.ok());
  const uint64_t transitions = stats->alert_sequence();
  ASSERT_GE(transitions, 100u);

  // Every transition reaches the robot, singly or in a digest.
  auto delivered = [](const std::vector<RecordedRequest>& rs) {
    std::vector<uint64_t> out;
    for (const RecordedRequest& r : rs) {
      if (!absl::StrContains(r.answer, R"("errcode":0)")) continue;
      for (uint64_t seq : SequencesIn(r.body)) out.push_back(seq);
    }
    return out;
  };
  const bool complete = bot.WaitFor(
      [&](const auto& rs) {
        std::vector<uint64_t> got = delivered(rs);
        return std::set<uint64_t>(got.begin(), got.end()).size() == transitions;
      },
      absl::Seconds(60));
  const std::vector<RecordedRequest> requests = bot.requests();
  ASSERT_TRUE(complete) << requests.size() << " requests\n"
                        << daemon->LogTail();
  const std::vector<uint64_t> got = delivered(requests);
  // In log order (which is per-shop order), each once.
  std::vector<uint64_t> want(transitions);
  for (uint64_t i = 0; i < transitions; ++i) want[i] = i + 1;
  EXPECT_EQ(got, want);
  EXPECT_EQ(*throttled, 0) << "the robot had to say \"send too fast\"";
  // A burst reaches people as a few messages.
  EXPECT_LT(requests.size(), 40u);
  bool digest = false;
  for (const RecordedRequest& r : requests) {
    digest = digest || absl::StrContains(r.body, "alerts for tenant acme");
    EXPECT_LE(r.body.size(), 20000u);
  }
  EXPECT_TRUE(digest);
  RecordProperty("robot_requests", static_cast<int>(requests.size()));
  EXPECT_TRUE(daemon->Stop().ok());
}

}  // namespace
}  // namespace depositd::integration
