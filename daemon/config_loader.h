// Config loader: reads depositd's configuration file (protobuf text format,
// depositd.v1.DaemonConfig) and checks all of it, as at start and on a
// reload, so that a file is either taken whole or refused whole.
//
// Errors are INVALID_ARGUMENT "FILE:LINE:COLUMN: what is wrong" (one line
// per syntax error), pointing at the line of the offending entry: syntax
// errors from protobuf's parser, profile and calendar errors located by
// watchers::ProfileRegistry::ParseConfigText, route and sink errors
// ("routes[1].sinks[0]: unknown sink ...") and tenant errors located by
// their field path in the parse tree. "FILE: ..." when no line is known.
// A file that cannot be read: NOT_FOUND / PERMISSION_DENIED /
// UNAVAILABLE with the system's reason.
//
// Pure functions apart from reading the file; thread-safe.
#ifndef DEPOSITD_DAEMON_CONFIG_LOADER_H_
#define DEPOSITD_DAEMON_CONFIG_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "depositd/v1/config.pb.h"

namespace depositd::daemon {

// `text` (named `filename` in errors) parsed and checked.
absl::StatusOr<v1::DaemonConfig> ParseDaemonConfig(absl::string_view text,
                                                   absl::string_view filename);

// The file at `path`, read, parsed and checked. An empty path: the empty
// configuration (built-ins only).
absl::StatusOr<v1::DaemonConfig> LoadDaemonConfig(const std::string& path);

// The line (1-based) and column of the entry a field path such as
// "routes[2].sinks[0]" or "tenants[1]" names in `text`, or 0 when it names
// nothing there. For tests and for ParseDaemonConfig.
struct TextLocation {
  int line = 0;
  int column = 0;
};
TextLocation LocateFieldPath(absl::string_view text, absl::string_view path);

// `config` with its secrets replaced by "<redacted>": sink secrets, and
// sink URLs after their host (chat robots' URLs carry their token).
v1::DaemonConfig RedactSecrets(const v1::DaemonConfig& config);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_CONFIG_LOADER_H_
