#include "daemon/store_keys.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

using std::string_literals::operator""s;

TEST(StoreKeysTest, LayoutsArePinned) {
  EXPECT_EQ(EncodeBigEndian64(0x0102030405060708),
            "\x01\x02\x03\x04\x05\x06\x07\x08"s);
  EXPECT_EQ(LogPositionKey(1), "\0\0\0\0\0\0\0\x01"s);
  EXPECT_EQ(AlertSequenceKey(256), "\0\0\0\0\0\0\x01\0"s);
  EXPECT_EQ(DedupeBucketKey(7), "\0\0\0\0\0\0\0\x07"s);
  EXPECT_EQ(ShopKey("acme", "s1"), "acme\0s1"s);
  EXPECT_EQ(ShopKey("acme", ""), "acme\0"s);
  EXPECT_EQ(PageKey(ShopKey("acme", "s1"), 0x80000001u),
            "acme\0s1\0\x80\0\0\x01"s);
  EXPECT_EQ(SilenceKey("abc"), "silence/abc");
  EXPECT_EQ(SinkCursorKey("ops"), "sink_cursor/ops");
  EXPECT_EQ(ConsoleSessionKey("ab12"), "console_session/ab12");
  EXPECT_EQ(ConfigVersionKey(2), "config/\0\0\0\0\0\0\0\x02"s);
  EXPECT_EQ(kConfigAppliedKey, "config_applied");
  EXPECT_EQ(kCheckpointMetaKey, "checkpoint");
}

TEST(StoreKeysTest, NumbersSortNumerically) {
  EXPECT_LT(EncodeBigEndian64(255), EncodeBigEndian64(256));
  EXPECT_EQ(DecodeBigEndian64(EncodeBigEndian64(123456789)), 123456789u);
  EXPECT_EQ(DecodeBigEndian64("short"), 0u);
}

TEST(StoreKeysTest, PagesSortAfterTheirShopInPageOrder) {
  const std::string shop = ShopKey("acme", "s1");
  EXPECT_LT(shop, PageKey(shop, 0));
  EXPECT_LT(PageKey(shop, 1), PageKey(shop, 2));
  EXPECT_LT(PageKey(shop, 1023), PageKey(shop, 0x80000000u));
  EXPECT_LT(PageKey(shop, 0xffffffffu), ShopKey("acme", "s2"));
}

TEST(StoreKeysTest, ParsesShopAndPageKeys) {
  absl::StatusOr<ShopsKey> shop = ParseShopsKey(ShopKey("acme", "s1"));
  ASSERT_TRUE(shop.ok()) << shop.status();
  EXPECT_EQ(shop->tenant, "acme");
  EXPECT_EQ(shop->shop_id, "s1");
  EXPECT_EQ(shop->shop_key, "acme\0s1"s);
  EXPECT_EQ(shop->page, -1);

  const std::string page_key = PageKey(ShopKey("acme", "s1"), 0x80000002u);
  absl::StatusOr<ShopsKey> page = ParseShopsKey(page_key);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->tenant, "acme");
  EXPECT_EQ(page->shop_id, "s1");
  EXPECT_EQ(page->shop_key, "acme\0s1"s);
  EXPECT_EQ(page->page, 0x80000002);
}

TEST(StoreKeysTest, RefusesKeysOfNoLayout) {
  EXPECT_TRUE(absl::IsDataLoss(ParseShopsKey("no separator").status()));
  EXPECT_TRUE(absl::IsDataLoss(ParseShopsKey("acme\0s1\0\x01\x02"s).status()));
}

}  // namespace
}  // namespace depositd::daemon
