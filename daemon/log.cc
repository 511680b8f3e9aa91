#include "daemon/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/stubs/common.h"
#include "google/protobuf/util/json_util.h"

namespace depositd::daemon {
namespace {

// 2^53: the integers a double (a JSON number) holds exactly.
constexpr uint64_t kMaxExactInDouble = uint64_t{1} << 53;

void WriteToStderr(absl::string_view line) {
  // One write(2) per line: lines of different threads do not interleave
  // (a pipe or journald's stream takes up to PIPE_BUF bytes atomically).
  while (!line.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // stderr gone: nowhere left to say so
    }
    line.remove_prefix(static_cast<size_t>(n));
  }
}

bool NeedsQuotes(absl::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' ||
        absl::ascii_iscntrl(static_cast<unsigned char>(c))) {
      return true;
    }
  }
  return false;
}

bool IsReservedKey(absl::string_view key) {
  return key == "time" || key == "level" || key == "component" ||
         key == "message";
}

// JSON strings must be UTF-8 (protobuf's printer would drop the bytes and
// log through protobuf's handler, which may be ours): bytes that are not
// go escaped, "\xff".
std::string Utf8OrEscaped(absl::string_view text) {
  if (google::protobuf::internal::IsStructurallyValidUTF8(
          text.data(), static_cast<int>(text.size()))) {
    return std::string(text);
  }
  return absl::CHexEscape(text);
}

std::atomic<const Logger*> process_logger{nullptr};

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warning" || text == "warn") return LogLevel::kWarning;
  if (text == "error") return LogLevel::kError;
  return absl::InvalidArgumentError(
      absl::StrCat("--log-level=", text,
                   " is not a level: use debug, info, warning or error"));
}

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat(
      "--log-format=", text, " is not a log format: use text or json"));
}

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
    case LogLevel::kFatal:
      return "fatal";
  }
  return "info";
}

LogField::LogField(absl::string_view key, int64_t value, Signed)
    : key_(key), kind_(Kind::kInteger), text_(absl::StrCat(value)) {
  const uint64_t magnitude = value < 0
                                 ? uint64_t{0} - static_cast<uint64_t>(value)
                                 : static_cast<uint64_t>(value);
  exact_ = magnitude <= kMaxExactInDouble;
  number_ = static_cast<double>(value);
}

LogField::LogField(absl::string_view key, uint64_t value, Unsigned)
    : key_(key), kind_(Kind::kInteger), text_(absl::StrCat(value)) {
  exact_ = value <= kMaxExactInDouble;
  number_ = static_cast<double>(value);
}

std::string LogField::Text() const {
  switch (kind_) {
    case Kind::kString:
    case Kind::kInteger:
      return text_;
    case Kind::kDouble:
      return absl::StrCat(number_);
    case Kind::kBool:
      return flag_ ? "true" : "false";
  }
  return text_;
}

std::string Logger::Format(LogLevel level, absl::string_view component,
                           absl::string_view message,
                           const LogFields& fields) const {
  if (options_.format == LogFormat::kText) {
    std::string line = "depositd: ";
    if (!component.empty() && component != "main") {
      absl::StrAppend(&line, component, ": ");
    }
    if (level == LogLevel::kWarning) line += "WARNING: ";
    if (level == LogLevel::kError) line += "ERROR: ";
    line.append(message.data(), message.size());
    for (const LogField& f : fields) {
      const std::string value = f.Text();
      absl::StrAppend(&line, " ", f.key(), "=",
                      NeedsQuotes(value)
                          ? absl::StrCat("\"", absl::CEscape(value), "\"")
                          : value);
    }
    line += '\n';
    return line;
  }

  const absl::Time now = options_.clock ? options_.clock() : absl::Now();
  google::protobuf::Struct object;
  auto& out = *object.mutable_fields();
  out["time"].set_string_value(
      absl::FormatTime("%Y-%m-%d%ET%H:%M:%E3SZ", now, absl::UTCTimeZone()));
  out["level"].set_string_value(std::string(LogLevelName(level)));
  out["component"].set_string_value(
      Utf8OrEscaped(component.empty() ? "main" : component));
  out["message"].set_string_value(Utf8OrEscaped(message));
  for (const LogField& f : fields) {
    google::protobuf::Value& v =
        out[IsReservedKey(f.key()) ? "field_" + f.key()
                                   : Utf8OrEscaped(f.key())];
    switch (f.kind_) {
      case LogField::Kind::kString:
        v.set_string_value(Utf8OrEscaped(f.text_));
        break;
      case LogField::Kind::kInteger:
        if (f.exact_) {
          v.set_number_value(f.number_);
        } else {
          v.set_string_value(f.text_);
        }
        break;
      case LogField::Kind::kDouble:
        // JSON has no NaN or infinity: those go as text.
        if (std::isfinite(f.number_)) {
          v.set_number_value(f.number_);
        } else {
          v.set_string_value(f.Text());
        }
        break;
      case LogField::Kind::kBool:
        v.set_bool_value(f.flag_);
        break;
    }
  }
  std::string line;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  // Cannot fail: every string is UTF-8 and every number finite.
  (void)google::protobuf::util::MessageToJsonString(object, &line, print);
  line += '\n';
  return line;
}

void Logger::Log(LogLevel level, absl::string_view component,
                 absl::string_view message, const LogFields& fields) const {
  if (!Enabled(level)) return;
  const std::string line = Format(level, component, message, fields);
  if (options_.sink) {
    options_.sink(line);
  } else {
    WriteToStderr(line);
  }
}

void SetProcessLogger(std::unique_ptr<Logger> logger) {
  // Leaked on purpose: a thread may be logging through the old one.
  process_logger.store(logger.release());
}

const Logger& ProcessLogger() {
  const Logger* logger = process_logger.load();
  if (logger != nullptr) return *logger;
  static const Logger* fallback = new Logger(Logger::Options{});
  return *fallback;
}

void Log(LogLevel level, absl::string_view component, absl::string_view message,
         const LogFields& fields) {
  ProcessLogger().Log(level, component, message, fields);
}

}  // namespace depositd::daemon
