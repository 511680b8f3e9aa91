#include "daemon/feed_config.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "feeds/douyin_feed.h"
#include "feeds/shopee_feed.h"
#include "feeds/temu_feed.h"
#include "feeds/tiktok_feed.h"

namespace depositd::daemon {
namespace {

absl::StatusOr<std::string> ReadSecret(const std::string& where,
                                       const std::string& file,
                                       absl::string_view config_path) {
  if (file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": secret_file is required"));
  }
  std::filesystem::path path(file);
  if (path.is_relative() && !config_path.empty()) {
    path = std::filesystem::path(std::string(config_path)).parent_path() / path;
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": cannot read secret_file ", path.string(), ": ",
                     std::strerror(errno)));
  }
  if ((st.st_mode & 0027) != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: secret_file %s has mode %04o: it must not be readable by others "
        "nor writable by group or others (chmod 600 it)",
        where, path.string(), st.st_mode & 07777));
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": cannot read secret_file ", path.string()));
  }
  std::string secret(absl::StripAsciiWhitespace(text.str()));
  if (secret.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": secret_file ", path.string(), " is empty"));
  }
  return secret;
}

absl::StatusOr<std::vector<feeds::FeedApp>> Apps(
    absl::string_view platform, const v1::FeedPlatformConfig& config,
    absl::string_view config_path) {
  std::vector<feeds::FeedApp> apps;
  for (int i = 0; i < config.apps_size(); ++i) {
    const v1::FeedAppConfig& a = config.apps(i);
    const std::string where = absl::StrCat("feeds.", platform, ".apps[", i,
                                           "] (app_key \"", a.app_key(), "\")");
    if (a.app_key().empty() || a.tenant().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": app_key and tenant are required"));
    }
    absl::StatusOr<std::string> secret =
        ReadSecret(where, a.secret_file(), config_path);
    if (!secret.ok()) return secret.status();
    apps.push_back({a.app_key(), *std::move(secret), a.tenant(),
                    a.callback_url(), a.default_shop_id()});
  }
  return apps;
}

absl::StatusOr<absl::Duration> Millis(absl::string_view field, bool has,
                                      int32_t value, int32_t fallback) {
  if (!has) return absl::Milliseconds(fallback);
  if (value < 1 || value > 60000) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be between 1 and 60000 ms"));
  }
  return absl::Milliseconds(value);
}

absl::StatusOr<feeds::Freshness> MaxAge(absl::string_view field,
                                        const v1::FeedPlatformConfig& c,
                                        feeds::Freshness freshness) {
  if (c.has_max_age_seconds()) {
    if (c.max_age_seconds() < 1 || c.max_age_seconds() > 30 * 86400) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".max_age_seconds must be between 1 and 2592000 (30 days)"));
    }
    freshness.max_age = absl::Seconds(c.max_age_seconds());
  }
  return freshness;
}

}  // namespace

absl::StatusOr<ConfiguredFeeds> LoadFeeds(const v1::FeedsConfig& config,
                                          absl::string_view config_path) {
  ConfiguredFeeds out;
  if (config.has_max_body_bytes()) {
    if (config.max_body_bytes() < 1024 ||
        config.max_body_bytes() > (16 << 20)) {
      return absl::InvalidArgumentError(
          "feeds.max_body_bytes must be between 1024 and 16777216");
    }
    out.max_body_bytes = static_cast<size_t>(config.max_body_bytes());
  }
  // Each platform: its apps, timeout and freshness, then its feed.
  auto add = [&](absl::string_view name, const v1::FeedPlatformConfig& c,
                 int32_t timeout_ms, auto make) -> absl::Status {
    if (c.apps_size() == 0) return absl::OkStatus();
    const std::string field = absl::StrCat("feeds.", name);
    absl::StatusOr<std::vector<feeds::FeedApp>> apps =
        Apps(name, c, config_path);
    if (!apps.ok()) return apps.status();
    absl::StatusOr<absl::Duration> timeout =
        Millis(absl::StrCat(field, ".answer_timeout_ms"),
               c.has_answer_timeout_ms(), c.answer_timeout_ms(), timeout_ms);
    if (!timeout.ok()) return timeout.status();
    absl::StatusOr<std::unique_ptr<feeds::PlatformFeed>> feed =
        make(*std::move(apps), field);
    if (!feed.ok()) return feed.status();
    out.platforms[std::string(name)] = {*std::move(feed), *timeout};
    return absl::OkStatus();
  };
  absl::Status s =
      add("tiktok", config.tiktok(), 2500,
          [&](std::vector<feeds::FeedApp> apps, const std::string& field)
              -> absl::StatusOr<std::unique_ptr<feeds::PlatformFeed>> {
            feeds::TikTokFeed::Options o;
            o.apps = std::move(apps);
            absl::StatusOr<feeds::Freshness> f =
                MaxAge(field, config.tiktok(), o.freshness);
            if (!f.ok()) return f.status();
            o.freshness = *f;
            return feeds::TikTokFeed::Create(std::move(o));
          });
  if (!s.ok()) return s;
  s = add("douyin", config.douyin(), 4500,
          [&](std::vector<feeds::FeedApp> apps, const std::string&)
              -> absl::StatusOr<std::unique_ptr<feeds::PlatformFeed>> {
            feeds::DouyinFeed::Options o;
            o.apps = std::move(apps);
            return feeds::DouyinFeed::Create(std::move(o));
          });
  if (!s.ok()) return s;
  s = add("shopee", config.shopee(), 2500,
          [&](std::vector<feeds::FeedApp> apps, const std::string& field)
              -> absl::StatusOr<std::unique_ptr<feeds::PlatformFeed>> {
            feeds::ShopeeFeed::Options o;
            o.apps = std::move(apps);
            absl::StatusOr<feeds::Freshness> f =
                MaxAge(field, config.shopee(), o.freshness);
            if (!f.ok()) return f.status();
            o.freshness = *f;
            return feeds::ShopeeFeed::Create(std::move(o));
          });
  if (!s.ok()) return s;
  s = add("temu", config.temu(), 400,
          [&](std::vector<feeds::FeedApp> apps, const std::string& field)
              -> absl::StatusOr<std::unique_ptr<feeds::PlatformFeed>> {
            feeds::TemuFeed::Options o;
            o.apps = std::move(apps);
            absl::StatusOr<feeds::Freshness> f =
                MaxAge(field, config.temu(), o.freshness);
            if (!f.ok()) return f.status();
            o.freshness = *f;
            return feeds::TemuFeed::Create(std::move(o));
          });
  if (!s.ok()) return s;
  out.amazon = config.amazon().enabled();
  absl::StatusOr<absl::Duration> amazon_timeout = Millis(
      "feeds.amazon.answer_timeout_ms", config.amazon().has_answer_timeout_ms(),
      config.amazon().answer_timeout_ms(), 4500);
  if (!amazon_timeout.ok()) return amazon_timeout.status();
  out.amazon_answer_timeout = *amazon_timeout;
  return out;
}

}  // namespace depositd::daemon
