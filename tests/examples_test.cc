// The sample events in deploy/examples parse as depositd.v1.Event JSON Lines,
// belong to the tour shop and have unique event ids.
#include <fstream>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "notifier/routing.h"
#include "tools/jsonl_reader.h"
#include "watchers/profiles.h"

namespace depositd::integration {
namespace {

std::string Example(const std::string& name) {
  return absl::StrCat(DEPOSITD_EXAMPLES_DIR, "/", name);
}

TEST(ExamplesTest, TourFilesAreValidJsonLines) {
  std::set<std::string> ids;
  for (const char* name : {"tour-events.jsonl", "tour-events-2.jsonl"}) {
    std::ifstream in(Example(name));
    ASSERT_TRUE(in) << Example(name);
    tools::JsonlEventReader reader(&in);
    int count = 0;
    while (std::optional<tools::JsonlRecord> record = reader.Next()) {
      ASSERT_TRUE(record->event.ok()) << name << ": " << record->event.status();
      EXPECT_EQ(record->event->tenant(), "acme");
      EXPECT_EQ(record->event->shop_id(), "tts-us-001");
      EXPECT_TRUE(ids.insert(record->event->event_id()).second)
          << "duplicate id " << record->event->event_id();
      ++count;
    }
    EXPECT_EQ(count, std::string(name) == "tour-events.jsonl" ? 18 : 3);
  }
}

TEST(ExamplesTest, ExampleConfigLoadsAndItsOverridesApply) {
  const std::string path = Example("depositd.textproto");
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  absl::StatusOr<v1::DaemonConfig> config =
      watchers::ProfileRegistry::ParseConfigText(text, path);
  ASSERT_TRUE(config.ok()) << config.status();
  auto registry = watchers::ProfileRegistry::Create(*config);
  ASSERT_TRUE(registry.ok()) << registry.status();

  auto shop =
      (*registry)->Resolve("acme", "tts-us-001", "tiktok_shop_cross_border");
  ASSERT_TRUE(shop.ok()) << shop.status();
  EXPECT_EQ((*shop)->settings.closure_waiting_days(), 45);
  EXPECT_EQ((*shop)->settings.unpaid_fee_age_days(), 3);
  EXPECT_EQ((*shop)->language, "zh-CN");

  // Its routes and sinks are valid and route as the comments say.
  absl::StatusOr<notifier::AlertRouter> router =
      notifier::AlertRouter::Create(*config);
  ASSERT_TRUE(router.ok()) << router.status();
  v1::Alert inactivity;
  inactivity.mutable_key()->set_tenant("acme");
  inactivity.mutable_key()->set_shop_id("tts-us-001");
  inactivity.mutable_key()->set_kind(v1::INACTIVITY);
  inactivity.set_severity(v1::WARNING);
  EXPECT_EQ(router->SinksFor(inactivity),
            (std::vector<std::string>{"ops-webhook", "acme-dingtalk",
                                      "alertmanager"}));
  EXPECT_EQ(router->RepeatInterval(inactivity), absl::Minutes(120));
  inactivity.mutable_key()->set_tenant("globex");
  inactivity.set_severity(v1::INFO);
  EXPECT_TRUE(router->SinksFor(inactivity).empty());

  auto other = (*registry)->Resolve("acme", "another-shop", "shopee");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ((*other)->settings.refund_batch_day_of_month(), 15);

  auto uk = (*registry)->Resolve("beta", "s1", "tiktok_shop_uk");
  ASSERT_TRUE(uk.ok()) << uk.status();
  EXPECT_EQ((*uk)->settings.calendar(), "UK");
  EXPECT_EQ((*uk)->settings.closure_waiting_days(), 30);
}

}  // namespace
}  // namespace depositd::integration
