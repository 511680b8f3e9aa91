#include "notifier/alert_key.h"

#include "gtest/gtest.h"

namespace depositd::notifier {
namespace {

v1::AlertKey Key(const char* tenant, const char* shop, v1::AlertKind kind,
                 const char* subject) {
  v1::AlertKey k;
  k.set_tenant(tenant);
  k.set_shop_id(shop);
  k.set_kind(kind);
  k.set_subject(subject);
  return k;
}

TEST(AlertKeyTest, StringNamesEveryPartWithoutATrailingSlash) {
  EXPECT_EQ(
      AlertKeyString(Key("acme", "shop-1", v1::DISPUTE_RESPONSE_DUE, "D-7")),
      "acme/shop-1/DISPUTE_RESPONSE_DUE/D-7");
  EXPECT_EQ(AlertKeyString(Key("acme", "", v1::FEED_SILENT, "")),
            "acme//FEED_SILENT");
  EXPECT_EQ(AlertKeyString(Key("acme", "s1", v1::ACCOUNT_MISMATCH, "")),
            "acme/s1/ACCOUNT_MISMATCH");
}

TEST(AlertKeyTest, OrdersByKindThenSubjectThenTenantThenShop) {
  const v1::AlertKey a = Key("t", "s", v1::INACTIVITY, "z");
  const v1::AlertKey b = Key("a", "a", v1::DISPUTE_RESPONSE_DUE, "a");
  EXPECT_TRUE(AlertKeyLess(a, b));  // kind first
  EXPECT_FALSE(AlertKeyLess(b, a));
  EXPECT_TRUE(AlertKeyLess(Key("z", "z", v1::UNPAID_FEES, "f-1"),
                           Key("a", "a", v1::UNPAID_FEES, "f-2")));
  EXPECT_TRUE(AlertKeyLess(Key("a", "z", v1::UNPAID_FEES, "f"),
                           Key("b", "a", v1::UNPAID_FEES, "f")));
  EXPECT_TRUE(AlertKeyLess(Key("a", "a", v1::UNPAID_FEES, "f"),
                           Key("a", "b", v1::UNPAID_FEES, "f")));
  EXPECT_FALSE(AlertKeyLess(a, a));
}

TEST(AlertKeyTest, EqualComparesEveryPart) {
  const v1::AlertKey a = Key("t", "s", v1::UNPAID_FEES, "f");
  EXPECT_TRUE(AlertKeyEqual(a, a));
  EXPECT_FALSE(AlertKeyEqual(a, Key("u", "s", v1::UNPAID_FEES, "f")));
  EXPECT_FALSE(AlertKeyEqual(a, Key("t", "r", v1::UNPAID_FEES, "f")));
  EXPECT_FALSE(AlertKeyEqual(a, Key("t", "s", v1::INACTIVITY, "f")));
  EXPECT_FALSE(AlertKeyEqual(a, Key("t", "s", v1::UNPAID_FEES, "g")));
}

}  // namespace
}  // namespace depositd::notifier
