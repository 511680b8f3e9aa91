// depositd --log-format=json: every line the daemon writes to stderr over a
// whole run (start, a SIGHUP, ingest, stop) is one JSON object with time,
// level, component and message; no line per ingested event; SIGHUP does not
// stop the daemon (without --config there is no file to reload) and says so.
#include <signal.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

std::vector<std::string> DaemonLines(const DaemonHarness& daemon) {
  std::ifstream in(daemon.log_path());
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    // The harness's own run separators are not the daemon's.
    if (absl::StartsWith(line, "=== depositd run ")) continue;
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<google::protobuf::Struct> ParseAll(
    const std::vector<std::string>& lines) {
  std::vector<google::protobuf::Struct> parsed;
  for (const std::string& line : lines) {
    google::protobuf::Struct s;
    const auto status = google::protobuf::util::JsonStringToMessage(line, &s);
    EXPECT_TRUE(status.ok()) << "not a JSON object: " << line;
    for (const char* key : {"time", "level", "component", "message"}) {
      EXPECT_TRUE(s.fields().contains(key)) << key << " missing: " << line;
    }
    parsed.push_back(std::move(s));
  }
  return parsed;
}

bool AnyMessage(const std::vector<google::protobuf::Struct>& lines,
                absl::string_view needle) {
  for (const auto& s : lines) {
    auto it = s.fields().find("message");
    if (it != s.fields().end() &&
        absl::StrContains(it->second.string_value(), needle)) {
      return true;
    }
  }
  return false;
}

TEST(LogFormatTest, JsonLinesOverAWholeRunAndSighupKeepsServing) {
  DaemonHarness::Options options;
  options.extra_args = {"--log-format=json", "--log-level=info"};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  // SIGHUP: logged, and the daemon keeps answering.
  ASSERT_EQ(kill((*daemon)->pid(), SIGHUP), 0);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!AnyMessage(ParseAll(DaemonLines(**daemon)),
                     "SIGHUP: depositd runs without --config")) {
    ASSERT_LT(absl::Now(), deadline) << (*daemon)->LogTail();
    absl::SleepFor(absl::Milliseconds(20));
  }

  const size_t lines_before_ingest = DaemonLines(**daemon).size();
  ShopEvents shop("acme", "shop-1");
  std::vector<v1::Event> events;
  for (int i = 0; i < 200; ++i) {
    events.push_back(shop.Order(absl::StrCat("o", i), "2026-03-01T00:00:00Z",
                                absl::StrCat("order-", i), v1::PLACED));
  }
  events.insert(events.begin(),
                shop.Registered("r", "2026-02-01T00:00:00Z", "generic", "US"));
  absl::StatusOr<v1::IngestAck> ack = Publish((*daemon)->channel(), events);
  ASSERT_TRUE(ack.ok()) << ack.status();
  // The ack is durable; a line per event would have been written by now.
  EXPECT_EQ(DaemonLines(**daemon).size(), lines_before_ingest)
      << (*daemon)->LogTail();

  ASSERT_TRUE((*daemon)->Stop().ok()) << (*daemon)->LogTail();
  const std::vector<google::protobuf::Struct> lines =
      ParseAll(DaemonLines(**daemon));
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(AnyMessage(lines, "listening on 127.0.0.1:"));
  bool saw_stop = false;
  for (const auto& s : lines) {
    const auto& f = s.fields();
    EXPECT_THAT(f.at("level").string_value(),
                ::testing::AnyOf("debug", "info", "warning", "error"));
    if (f.at("message").string_value() == "stopped cleanly") {
      saw_stop = true;
      EXPECT_EQ(f.at("component").string_value(), "main");
      EXPECT_GE(f.at("log_position").number_value(), 1);
      EXPECT_THAT(f.at("time").string_value(),
                  ::testing::MatchesRegex("20[0-9-]+T[0-9:.]+Z"));
    }
  }
  EXPECT_TRUE(saw_stop) << (*daemon)->LogTail();
}

TEST(LogFormatTest, BadFlagValuesAreOneLineErrors) {
  for (const char* flag : {"--log-format=xml", "--log-level=loud"}) {
    DaemonHarness::Options options;
    options.extra_args = {flag};
    options.start_timeout = absl::Seconds(20);
    absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
        DaemonHarness::Start(options);
    ASSERT_FALSE(daemon.ok()) << flag;
    EXPECT_THAT(std::string(daemon.status().message()),
                ::testing::HasSubstr(absl::StrCat("depositd: ", flag)));
  }
}

}  // namespace
}  // namespace depositd::integration
