// LoadFeeds: the `feeds` section of the configuration turned into the
// platforms' feeds (feeds/), with each app's secret read from its file.
//
// Secret files are read once, at start. A relative path is taken relative
// to the configuration file's folder. A file readable by others, or
// writable by group or others, is refused, as is an empty one. Errors name
// the platform, the app key and the file, never the secret.
#ifndef DEPOSITD_DAEMON_FEED_CONFIG_H_
#define DEPOSITD_DAEMON_FEED_CONFIG_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/v1/config.pb.h"
#include "feeds/feed.h"

namespace depositd::daemon {

struct ConfiguredFeed {
  std::unique_ptr<feeds::PlatformFeed> feed;
  // Wait at most this long for durability, then answer 503.
  absl::Duration answer_timeout;
};

struct ConfiguredFeeds {
  // By platform name ("tiktok", …): only platforms with apps.
  std::map<std::string, ConfiguredFeed, std::less<>> platforms;
  bool amazon = false;
  absl::Duration amazon_answer_timeout = absl::Milliseconds(4500);
  size_t max_body_bytes = 1 << 20;

  bool empty() const { return platforms.empty() && !amazon; }
};

// INVALID_ARGUMENT naming the field ("feeds.tiktok.apps[0]: ...") for a
// missing key, tenant or secret file, an unreadable or exposed secret
// file, or an out-of-range limit. `config_path`: the configuration file
// (for relative secret paths and messages).
absl::StatusOr<ConfiguredFeeds> LoadFeeds(const v1::FeedsConfig& config,
                                          absl::string_view config_path);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_FEED_CONFIG_H_
