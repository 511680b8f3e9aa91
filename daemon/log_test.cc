#include "daemon/log.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

using ::testing::HasSubstr;

absl::Time FakeNow() {
  return absl::FromUnixMillis(1772668800123);  // 2026-03-05T00:00:00.123Z
}

Logger JsonLogger(std::vector<std::string>* lines = nullptr,
                  LogLevel min = LogLevel::kInfo) {
  Logger::Options o;
  o.format = LogFormat::kJson;
  o.min_level = min;
  o.clock = FakeNow;
  if (lines != nullptr) {
    o.sink = [lines](absl::string_view l) { lines->emplace_back(l); };
  }
  return Logger(o);
}

google::protobuf::Struct Parse(const std::string& line) {
  google::protobuf::Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &s).ok())
      << line;
  return s;
}

TEST(LogTest, JsonLineHasTimeLevelComponentMessageAndTypedFields) {
  const std::string line =
      JsonLogger().Format(LogLevel::kWarning, "sink", "delivery failing",
                          {{"sink", "ops-chat"},
                           {"attempts", 3},
                           {"retrying", true},
                           {"ratio", 0.5}});
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
  const google::protobuf::Struct s = Parse(line);
  const auto& f = s.fields();
  EXPECT_EQ(f.at("time").string_value(), "2026-03-05T00:00:00.123Z");
  EXPECT_EQ(f.at("level").string_value(), "warning");
  EXPECT_EQ(f.at("component").string_value(), "sink");
  EXPECT_EQ(f.at("message").string_value(), "delivery failing");
  EXPECT_EQ(f.at("sink").string_value(), "ops-chat");
  EXPECT_EQ(f.at("attempts").number_value(), 3);
  EXPECT_TRUE(f.at("retrying").bool_value());
  EXPECT_EQ(f.at("ratio").number_value(), 0.5);
  EXPECT_EQ(f.size(), 8u);
}

TEST(LogTest, JsonKeepsEveryDigitOfLargeIntegersAndRenamesReservedKeys) {
  const google::protobuf::Struct s =
      Parse(JsonLogger().Format(LogLevel::kInfo, "", "m",
                                {{"position", uint64_t{18446744073709551615u}},
                                 {"small", int64_t{-9007199254740992}},
                                 {"message", "a field, not the message"}}));
  const auto& f = s.fields();
  EXPECT_EQ(f.at("position").string_value(), "18446744073709551615");
  EXPECT_EQ(f.at("small").number_value(), -9007199254740992.0);
  EXPECT_EQ(f.at("message").string_value(), "m");
  EXPECT_EQ(f.at("field_message").string_value(), "a field, not the message");
  EXPECT_EQ(f.at("component").string_value(), "main");
}

TEST(LogTest, JsonEscapesQuotesNewlinesAndSurvivesInvalidUtf8) {
  const google::protobuf::Struct s = Parse(JsonLogger().Format(
      LogLevel::kError, "auth", "bad \"line\"\nsecond", {{"k", "v\tw"}}));
  EXPECT_EQ(s.fields().at("message").string_value(), "bad \"line\"\nsecond");
  EXPECT_EQ(s.fields().at("k").string_value(), "v\tw");

  const std::string line =
      JsonLogger().Format(LogLevel::kError, "auth", "bytes \xff\xfe here", {});
  const google::protobuf::Struct escaped = Parse(line);
  EXPECT_THAT(escaped.fields().at("message").string_value(),
              HasSubstr("\\xff\\xfe"));
}

TEST(LogTest, TextKeepsTheDepositdPrefixAndShowsOnlyWarningsAndErrors) {
  Logger::Options o;
  o.clock = FakeNow;
  const Logger text(o);
  EXPECT_EQ(text.Format(LogLevel::kInfo, "main", "listening", {}),
            "depositd: listening\n");
  EXPECT_EQ(text.Format(LogLevel::kInfo, "http", "listening",
                        {{"port", 9474}, {"note", "two words"}, {"e", ""}}),
            "depositd: http: listening port=9474 note=\"two words\" e=\"\"\n");
  EXPECT_EQ(text.Format(LogLevel::kWarning, "", "no tokens", {}),
            "depositd: WARNING: no tokens\n");
  EXPECT_EQ(
      text.Format(LogLevel::kError, "sink", "refused", {{"sink", "a\"b"}}),
      "depositd: sink: ERROR: refused sink=\"a\\\"b\"\n");
  EXPECT_EQ(text.Format(LogLevel::kFatal, "main", "cannot start", {}),
            "depositd: cannot start\n");
}

TEST(LogTest, LevelDropsLinesBelowIt) {
  std::vector<std::string> lines;
  const Logger logger = JsonLogger(&lines, LogLevel::kWarning);
  logger.Log(LogLevel::kDebug, "main", "debug");
  logger.Log(LogLevel::kInfo, "main", "info");
  logger.Log(LogLevel::kWarning, "main", "warning");
  logger.Log(LogLevel::kError, "main", "error");
  ASSERT_EQ(lines.size(), 2u);
  const Logger quiet = JsonLogger(&lines, LogLevel::kError);
  quiet.Log(LogLevel::kFatal, "main", "fatal: always");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(Parse(lines[2]).fields().at("level").string_value(), "fatal");
  EXPECT_EQ(Parse(lines[0]).fields().at("message").string_value(), "warning");
  EXPECT_EQ(Parse(lines[1]).fields().at("message").string_value(), "error");
}

TEST(LogTest, ParsesFlags) {
  struct Case {
    const char* text;
    bool ok;
    LogLevel level;
  };
  for (const Case& c : {Case{"debug", true, LogLevel::kDebug},
                        Case{"info", true, LogLevel::kInfo},
                        Case{"warning", true, LogLevel::kWarning},
                        Case{"warn", true, LogLevel::kWarning},
                        Case{"error", true, LogLevel::kError},
                        Case{"INFO", false, LogLevel::kInfo},
                        Case{"", false, LogLevel::kInfo}}) {
    absl::StatusOr<LogLevel> l = ParseLogLevel(c.text);
    EXPECT_EQ(l.ok(), c.ok) << c.text;
    if (c.ok && l.ok()) EXPECT_EQ(*l, c.level) << c.text;
  }
  EXPECT_THAT(std::string(ParseLogLevel("loud").status().message()),
              HasSubstr("use debug, info, warning or error"));
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_THAT(std::string(ParseLogFormat("xml").status().message()),
              HasSubstr("use text or json"));
}

}  // namespace
}  // namespace depositd::daemon
