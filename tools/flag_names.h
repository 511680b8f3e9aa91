// Command-line spelling shared by depositd, depositd-loadgen and the no-op
// server: absl flags are C++ identifiers (--data_dir), people type
// --data-dir. NormalizeFlagNames rewrites dashes to underscores in the names
// of --options (not in their values, not after a bare "--").
#ifndef DEPOSITD_TOOLS_FLAG_NAMES_H_
#define DEPOSITD_TOOLS_FLAG_NAMES_H_

#include <algorithm>
#include <string>
#include <vector>

namespace depositd {

// Returns argv rewritten; the strings live in `storage`, which must outlive
// the result.
inline std::vector<char*> NormalizeFlagNames(
    int argc, char** argv, std::vector<std::string>* storage) {
  storage->assign(argv, argv + argc);
  for (size_t i = 1; i < storage->size(); ++i) {
    std::string& arg = (*storage)[i];
    if (arg == "--") break;
    if (arg.rfind("--", 0) != 0) continue;
    const size_t end = std::min(arg.find('='), arg.size());
    std::replace(arg.begin() + 2, arg.begin() + end, '-', '_');
  }
  std::vector<char*> out;
  for (std::string& s : *storage) out.push_back(s.data());
  return out;
}

}  // namespace depositd

#endif  // DEPOSITD_TOOLS_FLAG_NAMES_H_
