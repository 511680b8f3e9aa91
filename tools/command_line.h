// depositctl's command line: positionals and --name[=value] options, and
// the checks every command makes of them. Pure (no I/O), unit-tested through
// depositctl's end-to-end tests.
#ifndef DEPOSITD_TOOLS_COMMAND_LINE_H_
#define DEPOSITD_TOOLS_COMMAND_LINE_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace depositd::tools {

// The parsed command line: positionals and --name[=value] options.
struct CommandLine {
  std::vector<std::string> positionals;
  std::map<std::string, std::string> options;
};

// Options that take no value (--json, --help, --tls).
const std::set<std::string>& BooleanOptions();

// argv (argv[0] skipped) as a CommandLine; "--" ends the options, "-" is a
// positional. An option other than a boolean one without a value is an
// error.
absl::StatusOr<CommandLine> ParseCommandLine(int argc, char** argv);

// Fails with a usage error naming any option not in `allowed` (the global
// connection options are always allowed).
absl::Status CheckOptions(const CommandLine& cl,
                          const std::set<std::string>& allowed);

// The option's value, or `fallback` when it was not given.
std::string Option(const CommandLine& cl, const std::string& name,
                   const std::string& fallback = "");

bool HasOption(const CommandLine& cl, const std::string& name);

// An integer option within [min, max], or `fallback` when not given.
absl::StatusOr<int> IntOption(const CommandLine& cl, const std::string& name,
                              int fallback, int min, int max);

}  // namespace depositd::tools

#endif  // DEPOSITD_TOOLS_COMMAND_LINE_H_
