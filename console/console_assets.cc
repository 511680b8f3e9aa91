#include "console/console_assets.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace depositd {

const ConsoleAsset* FindConsoleAsset(absl::string_view path) {
  size_t count = 0;
  const ConsoleAsset* assets = AllConsoleAssets(&count);
  for (size_t i = 0; i < count; ++i) {
    if (assets[i].path == path) return &assets[i];
  }
  return nullptr;
}

const ConsoleAsset* ConsolePageFor(absl::string_view path) {
  if (absl::ConsumePrefix(&path, "/console/")) {
    if (absl::StartsWith(path, "assets/")) return FindConsoleAsset(path);
    return FindConsoleAsset("index.html");
  }
  if (path == "/console") return FindConsoleAsset("index.html");
  return nullptr;
}

}  // namespace depositd
