#include "daemon/config_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "daemon/config_versions.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "watchers/profiles.h"

namespace depositd::daemon {
namespace {

namespace pb = google::protobuf;

// Discards parse errors: the text already parsed once with them reported.
class Quiet : public pb::io::ErrorCollector {
 public:
  void AddError(int, pb::io::ColumnNumber, const std::string&) override {}
};

// "name[3]" → ("name", 3); "name" → ("name", -1). False if malformed.
bool SplitStep(absl::string_view step, std::string* name, int* index) {
  const size_t open = step.find('[');
  if (open == absl::string_view::npos) {
    *name = std::string(step);
    *index = -1;
    return !name->empty();
  }
  if (step.back() != ']') return false;
  *name = std::string(step.substr(0, open));
  return absl::SimpleAtoi(step.substr(open + 1, step.size() - open - 2),
                          index) &&
         *index >= 0 && !name->empty();
}

// The field path at the start of `message` ("routes[2].sinks[0]: ..."),
// or empty.
absl::string_view LeadingPath(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos) return {};
  const absl::string_view path = message.substr(0, colon);
  for (char c : path) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
          c == '.' || c == '[' || c == ']')) {
      return {};
    }
  }
  return path;
}

// "tenant \"acme\": ..." → the path of that tenant's entry.
std::string TenantPath(const v1::DaemonConfig& config,
                       absl::string_view message) {
  constexpr absl::string_view kPrefix = "tenant \"";
  if (!absl::StartsWith(message, kPrefix)) return "";
  const size_t end = message.find('"', kPrefix.size());
  if (end == absl::string_view::npos) return "";
  const absl::string_view tenant =
      message.substr(kPrefix.size(), end - kPrefix.size());
  for (int i = 0; i < config.tenants_size(); ++i) {
    if (config.tenants(i).tenant() == tenant) {
      return absl::StrCat("tenants[", i, "]");
    }
  }
  return "";
}

std::string WithLocation(absl::string_view filename, TextLocation at,
                         absl::string_view message) {
  if (at.line == 0) return absl::StrCat(filename, ": ", message);
  return absl::StrCat(filename, ":", at.line, ":", at.column, ": ", message);
}

}  // namespace

TextLocation LocateFieldPath(absl::string_view text, absl::string_view path) {
  v1::DaemonConfig config;
  pb::TextFormat::Parser parser;
  Quiet quiet;
  parser.RecordErrorsTo(&quiet);
  pb::TextFormat::ParseInfoTree tree;
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(std::string(text), &config)) return {};
  const pb::TextFormat::ParseInfoTree* t = &tree;
  const pb::Descriptor* d = v1::DaemonConfig::descriptor();
  TextLocation found;
  const std::vector<absl::string_view> steps = absl::StrSplit(path, '.');
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string name;
    int index = -1;
    if (d == nullptr || t == nullptr || !SplitStep(steps[i], &name, &index)) {
      break;
    }
    const pb::FieldDescriptor* f = d->FindFieldByName(name);
    if (f == nullptr) break;
    const int at = f->is_repeated() ? std::max(index, 0) : -1;
    const pb::TextFormat::ParseLocationRange r = t->GetLocationRange(f, at);
    if (r.start.line < 0) break;
    found = TextLocation{r.start.line + 1, r.start.column + 1};
    if (f->type() != pb::FieldDescriptor::TYPE_MESSAGE) break;
    t = t->GetTreeForNested(f, at);
    d = f->message_type();
  }
  return found;
}

absl::StatusOr<v1::DaemonConfig> ParseDaemonConfig(absl::string_view text,
                                                   absl::string_view filename) {
  // Syntax, profiles and calendars, with their lines.
  absl::StatusOr<v1::DaemonConfig> parsed =
      watchers::ProfileRegistry::ParseConfigText(text, filename);
  if (!parsed.ok()) return parsed.status();
  // Routes, sinks, tenants: what the engine builds from the file.
  absl::Status s = ValidateDaemonConfig(*parsed);
  if (!s.ok()) {
    const absl::string_view message = s.message();
    std::string path(LeadingPath(message));
    if (path.empty()) path = TenantPath(*parsed, message);
    const TextLocation at =
        path.empty() ? TextLocation{} : LocateFieldPath(text, path);
    return absl::InvalidArgumentError(WithLocation(filename, at, message));
  }
  return parsed;
}

absl::StatusOr<v1::DaemonConfig> LoadDaemonConfig(const std::string& path) {
  if (path.empty()) return v1::DaemonConfig();
  std::ifstream in(path);
  if (!in) {
    const int err = errno;
    const std::string why =
        absl::StrCat("cannot read config ", path, ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(why);
    if (err == EACCES) return absl::PermissionDeniedError(why);
    return absl::UnavailableError(why);
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::UnavailableError(absl::StrCat("cannot read config ", path));
  }
  return ParseDaemonConfig(text.str(), path);
}

v1::DaemonConfig RedactSecrets(const v1::DaemonConfig& config) {
  v1::DaemonConfig out = config;
  for (v1::Sink& sink : *out.mutable_sinks()) {
    if (!sink.secret().empty()) sink.set_secret("<redacted>");
    const size_t scheme = sink.url().find("://");
    if (scheme == std::string::npos) continue;
    const size_t path = sink.url().find_first_of("/?#", scheme + 3);
    if (path != std::string::npos) {
      sink.set_url(absl::StrCat(sink.url().substr(0, path), "/<redacted>"));
    }
  }
  return out;
}

}  // namespace depositd::daemon
