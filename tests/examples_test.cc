// The sample events in deploy/examples parse as depositd.v1.Event JSON Lines,
// belong to the tour shop and have unique event ids.
#include <fstream>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tools/jsonl_reader.h"

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

}  // namespace
}  // namespace depositd::integration
