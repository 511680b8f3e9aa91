// Logging: depositd's one way to say something to the operator. One line
// per event of note (start, stop, a refused token file, a sink failing, a
// disk full): never one per ingested event.
//
// Two formats (--log-format):
//   text  depositd: [COMPONENT: ][LEVEL: ]MESSAGE[ key=value ...]
//         the form depositd always printed, for a terminal: COMPONENT is
//         left out for "main", LEVEL shows only for warnings and errors
//         ("WARNING: ", "ERROR: "); a fatal line is the one-line start-up
//         error "depositd: MESSAGE".
//   json  one JSON object per line, for journald and log shippers:
//         {"time":"2026-03-05T00:00:00.123Z","level":"info",
//          "component":"main","message":"listening","port":50051}
//         time (RFC 3339, UTC), level, component, message, then each
//         field as its own key (numbers and booleans as JSON numbers and
//         booleans). Key order is not fixed. A field named like one of the
//         five keys is written as "field_<name>". The object is printed by
//         protobuf's JSON printer over a google.protobuf.Struct, so
//         escaping (quotes, control bytes, non-UTF-8) is protobuf's.
// A level (--log-level) drops lines below it: debug < info < warning <
// error.
//
//   LogInfo("http", "listening", {{"address", addr}, {"port", port}});
//   LogWarning("sink", "delivery failing", {{"sink", name}});
//
// The process-wide logger (SetProcessLogger) writes each line to stderr
// with one write(2), so lines from different threads do not interleave.
// Until it is set, lines go to stderr as text at level info.
//
// Thread-safety: Logger is thread-safe (immutable after Create). Set the
// process logger once, before the threads that log start.
#ifndef DEPOSITD_DAEMON_LOG_H_
#define DEPOSITD_DAEMON_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace depositd::daemon {

// kFatal: the line before the process exits (a start-up error); always
// logged, whatever the level.
enum class LogLevel { kDebug = 0, kInfo, kWarning, kError, kFatal };
enum class LogFormat { kText, kJson };

// "debug", "info", "warning", "error" (and "warn"). INVALID_ARGUMENT naming
// the accepted values otherwise.
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view text);
// "text" or "json"; INVALID_ARGUMENT naming them otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text);
// "debug", "info", "warning", "error", "fatal".
absl::string_view LogLevelName(LogLevel level);

// One key=value of a log line. The value keeps its type for JSON: a string,
// an integer (a JSON number up to 2^53, a string beyond, so no digit is
// lost), a double or a boolean.
class LogField {
 public:
  LogField(absl::string_view key, absl::string_view value)
      : key_(key), kind_(Kind::kString), text_(value) {}
  LogField(absl::string_view key, const std::string& value)
      : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, const char* value)
      : LogField(key, absl::string_view(value == nullptr ? "" : value)) {}
  LogField(absl::string_view key, int value)
      : LogField(key, static_cast<int64_t>(value), Signed{}) {}
  LogField(absl::string_view key, long value)
      : LogField(key, static_cast<int64_t>(value), Signed{}) {}
  LogField(absl::string_view key, long long value)
      : LogField(key, static_cast<int64_t>(value), Signed{}) {}
  LogField(absl::string_view key, unsigned value)
      : LogField(key, static_cast<uint64_t>(value), Unsigned{}) {}
  LogField(absl::string_view key, unsigned long value)
      : LogField(key, static_cast<uint64_t>(value), Unsigned{}) {}
  LogField(absl::string_view key, unsigned long long value)
      : LogField(key, static_cast<uint64_t>(value), Unsigned{}) {}
  LogField(absl::string_view key, double value)
      : key_(key), kind_(Kind::kDouble), number_(value) {}
  LogField(absl::string_view key, bool value)
      : key_(key), kind_(Kind::kBool), flag_(value) {}

  const std::string& key() const { return key_; }
  // The value as text ("12", "true", "disk full").
  std::string Text() const;

 private:
  friend class Logger;
  struct Signed {};
  struct Unsigned {};
  LogField(absl::string_view key, int64_t value, Signed);
  LogField(absl::string_view key, uint64_t value, Unsigned);
  enum class Kind { kString, kInteger, kDouble, kBool };
  std::string key_;
  Kind kind_;
  std::string text_;    // kString; kInteger as digits
  double number_ = 0;   // kDouble; kInteger when exact in a double
  bool exact_ = false;  // kInteger fits a double exactly
  bool flag_ = false;   // kBool
};

using LogFields = std::vector<LogField>;

class Logger {
 public:
  struct Options {
    LogFormat format = LogFormat::kText;
    LogLevel min_level = LogLevel::kInfo;
    // The time of a JSON line; null: absl::Now(). Tests pass a fake.
    std::function<absl::Time()> clock;
    // Where a formatted line (with its trailing newline) goes; null: one
    // write(2) to stderr.
    std::function<void(absl::string_view line)> sink;
  };

  explicit Logger(Options options) : options_(std::move(options)) {}

  bool Enabled(LogLevel level) const {
    return level >= options_.min_level || level == LogLevel::kFatal;
  }

  // The line for these arguments, newline included, whatever the level.
  std::string Format(LogLevel level, absl::string_view component,
                     absl::string_view message, const LogFields& fields) const;

  // Formats and writes the line if `level` is enabled.
  void Log(LogLevel level, absl::string_view component,
           absl::string_view message, const LogFields& fields = {}) const;

 private:
  const Options options_;
};

// The process-wide logger. SetProcessLogger replaces it (the old one is
// kept alive: a thread may still be using it).
void SetProcessLogger(std::unique_ptr<Logger> logger);
const Logger& ProcessLogger();

// Shorthands for ProcessLogger().Log(...). `component` names the part of
// depositd speaking ("main", "auth", "http", "rocksdb", "grpc",
// "protobuf", "systemd", "backup"), with its instance where there are
// several ("sink ops-chat").
void Log(LogLevel level, absl::string_view component, absl::string_view message,
         const LogFields& fields = {});
inline void LogDebug(absl::string_view component, absl::string_view message,
                     const LogFields& fields = {}) {
  Log(LogLevel::kDebug, component, message, fields);
}
inline void LogInfo(absl::string_view component, absl::string_view message,
                    const LogFields& fields = {}) {
  Log(LogLevel::kInfo, component, message, fields);
}
inline void LogWarning(absl::string_view component, absl::string_view message,
                       const LogFields& fields = {}) {
  Log(LogLevel::kWarning, component, message, fields);
}
inline void LogError(absl::string_view component, absl::string_view message,
                     const LogFields& fields = {}) {
  Log(LogLevel::kError, component, message, fields);
}

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_LOG_H_
