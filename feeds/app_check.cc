#include "feeds/app_check.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"

namespace depositd::feeds {

absl::Status CheckApps(absl::string_view platform,
                       const std::vector<FeedApp>& apps) {
  if (apps.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(platform, ": no app configured"));
  }
  std::set<std::string> keys;
  for (size_t i = 0; i < apps.size(); ++i) {
    const FeedApp& a = apps[i];
    const std::string where =
        absl::StrCat(platform, " app ", i, " (app_key \"", a.app_key, "\")");
    if (a.app_key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": app_key is required"));
    }
    if (a.secret.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": the secret is empty"));
    }
    if (a.tenant.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": tenant is required"));
    }
    if (!keys.insert(a.app_key).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": the same app_key is configured twice"));
    }
  }
  return absl::OkStatus();
}

}  // namespace depositd::feeds
