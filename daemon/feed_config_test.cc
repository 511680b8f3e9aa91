// LoadFeeds: secrets from files (relative to the config, whitespace
// stripped, refused when exposed or empty, never in a message), defaults.
#include "daemon/feed_config.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class FeedConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/feed-config-XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text,
                    mode_t mode = 0600) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    chmod(path.c_str(), mode);
    return path;
  }
  v1::FeedsConfig Parse(const std::string& text) {
    v1::FeedsConfig c;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &c));
    return c;
  }
  std::string config_path() const { return dir_ + "/depositd.textproto"; }

  std::string dir_;
};

TEST_F(FeedConfigTest, LoadsAppsWithRelativeSecretsAndDefaults) {
  Write("tt.secret", "  tt-secret-value\n");
  Write("temu.secret", "12345678abcdefgh\n");
  absl::StatusOr<ConfiguredFeeds> f = LoadFeeds(
      Parse(
          R"(tiktok { apps { app_key: "k" secret_file: "tt.secret" tenant: "acme" } }
               temu { apps { app_key: "t" secret_file: "temu.secret" tenant: "acme" }
                      answer_timeout_ms: 300 }
               amazon { enabled: true })"),
      config_path());
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->platforms.size(), 2u);
  EXPECT_EQ(f->platforms.at("tiktok").answer_timeout, absl::Milliseconds(2500));
  EXPECT_EQ(f->platforms.at("temu").answer_timeout, absl::Milliseconds(300));
  EXPECT_TRUE(f->amazon);
  EXPECT_EQ(f->max_body_bytes, 1u << 20);
  EXPECT_FALSE(f->empty());
  EXPECT_TRUE(LoadFeeds(v1::FeedsConfig(), config_path())->empty());
}

TEST_F(FeedConfigTest, RefusesExposedEmptyOrMissingSecretsWithoutPrintingThem) {
  const std::string exposed = Write("open.secret", "do-not-print-me", 0644);
  absl::StatusOr<ConfiguredFeeds> f =
      LoadFeeds(Parse(R"(tiktok { apps { app_key: "k" secret_file: ")" +
                      exposed + R"(" tenant: "acme" } })"),
                config_path());
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr("0644"));
  EXPECT_THAT(f.status().message(), HasSubstr("feeds.tiktok.apps[0]"));
  EXPECT_THAT(f.status().message(), Not(HasSubstr("do-not-print-me")));

  Write("empty.secret", " \n");
  EXPECT_THAT(
      LoadFeeds(
          Parse(
              R"(douyin { apps { app_key: "k" secret_file: "empty.secret" tenant: "acme" } })"),
          config_path())
          .status()
          .message(),
      HasSubstr("is empty"));
  EXPECT_FALSE(
      LoadFeeds(
          Parse(
              R"(douyin { apps { app_key: "k" secret_file: "nope" tenant: "acme" } })"),
          config_path())
          .ok());
  Write("ok.secret", "s");
  EXPECT_THAT(
      LoadFeeds(
          Parse(R"(douyin { apps { app_key: "k" secret_file: "ok.secret" } })"),
          config_path())
          .status()
          .message(),
      HasSubstr("tenant"));
}

TEST_F(FeedConfigTest, PlatformRulesAndLimits) {
  Write("s.secret", "short");
  // Shopee signs its callback URL: required.
  EXPECT_THAT(
      LoadFeeds(
          Parse(
              R"(shopee { apps { app_key: "1" secret_file: "s.secret" tenant: "acme" } })"),
          config_path())
          .status()
          .message(),
      HasSubstr("callback_url"));
  // Temu's AES key is the secret's first 16 bytes.
  EXPECT_THAT(
      LoadFeeds(
          Parse(
              R"(temu { apps { app_key: "1" secret_file: "s.secret" tenant: "acme" } })"),
          config_path())
          .status()
          .message(),
      HasSubstr("16"));
  EXPECT_FALSE(LoadFeeds(Parse("max_body_bytes: 10"), config_path()).ok());
  EXPECT_FALSE(
      LoadFeeds(
          Parse(
              R"(tiktok { apps { app_key: "k" secret_file: "s.secret" tenant: "a" }
                                  answer_timeout_ms: 0 })"),
          config_path())
          .ok());
}

}  // namespace
}  // namespace depositd::daemon
