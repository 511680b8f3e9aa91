#include "tools/command_line.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace depositd::tools {

const std::set<std::string>& BooleanOptions() {
  static const auto* kBooleans =
      new std::set<std::string>{"json", "help", "tls"};
  return *kBooleans;
}

absl::StatusOr<CommandLine> ParseCommandLine(int argc, char** argv) {
  CommandLine cl;
  bool options_ended = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (options_ended || arg == "-" || !absl::StartsWith(arg, "--")) {
      cl.positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (BooleanOptions().count(name) > 0) {
      value = "true";
    } else {
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(
            absl::StrCat("option --", name, " needs a value"));
      }
      value = argv[++i];
    }
    cl.options[name] = value;
  }
  return cl;
}

absl::Status CheckOptions(const CommandLine& cl,
                          const std::set<std::string>& allowed) {
  for (const auto& [name, value] : cl.options) {
    if (name == "addr" || name == "timeout" || name == "token" ||
        name == "tls" || name == "tls-ca" || name == "tls-cert" ||
        name == "tls-key") {
      continue;
    }
    if (allowed.count(name) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option --", name, " for this command"));
    }
  }
  return absl::OkStatus();
}

std::string Option(const CommandLine& cl, const std::string& name,
                   const std::string& fallback) {
  auto it = cl.options.find(name);
  return it == cl.options.end() ? fallback : it->second;
}

bool HasOption(const CommandLine& cl, const std::string& name) {
  return cl.options.count(name) > 0;
}

absl::StatusOr<int> IntOption(const CommandLine& cl, const std::string& name,
                              int fallback, int min, int max) {
  if (!HasOption(cl, name)) return fallback;
  int value = 0;
  if (!absl::SimpleAtoi(Option(cl, name), &value) || value < min ||
      value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be a number from ", min, " to ", max,
                     ", not \"", Option(cl, name), "\""));
  }
  return value;
}

}  // namespace depositd::tools
