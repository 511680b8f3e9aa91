#include "watchers/order_book.h"

#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "watchers/shop_state.h"
#include "watchers/shop_state_test_peer.h"
#include "watchers/test_events.h"

namespace depositd::watchers {
namespace {

using testing::At;
using testing::Events;

// The order indexes compare 8 bytes after the prefix every id shares and
// read the ids only on a tie; whatever the ids (prefixes that shrink while
// the indexes are full, ids that are prefixes of others, long equal runs,
// bytes >= 0x80), they must hold exactly the in-flight and delivered orders
// in id order, as the old string-keyed sets did.
void ExpectOrderIndexesMatchRecords(const ShopState& shop,
                                    const ResolvedProfile& profile,
                                    absl::Time as_of) {
  const OrderBook& book = ShopStateTestPeer::internals(shop).orders;
  std::vector<std::string> in_flight;
  std::vector<std::pair<int64_t, std::string>> delivered;
  for (const OrderRecord& r : book.slots) {
    if (r.status == v1::PLACED || r.status == v1::SHIPPED ||
        r.status == v1::IN_TRANSIT) {
      in_flight.emplace_back(r.id);
    }
    if (r.status != v1::CANCELLED && r.delivered_s() != 0) {
      delivered.emplace_back(r.delivered_s(), std::string(r.id));
    }
  }
  std::sort(in_flight.begin(), in_flight.end());
  std::sort(delivered.begin(), delivered.end());
  std::vector<std::string> got_in_flight;
  for (const OrderKey& k : book.in_flight) {
    EXPECT_EQ(k.chunk, book.ChunkOf(book.id(k.slot)));
    got_in_flight.emplace_back(book.id(k.slot));
  }
  EXPECT_EQ(got_in_flight, in_flight);
  std::vector<std::pair<int64_t, std::string>> got_delivered;
  for (const DeliveredKey& k : book.delivered) {
    EXPECT_EQ(k.chunk, book.ChunkOf(book.id(k.slot)));
    got_delivered.emplace_back(k.at_s, std::string(book.id(k.slot)));
  }
  EXPECT_EQ(got_delivered, delivered);
  // R1's evidence: the first 20 in-flight ids in id order.
  const v1::ReadinessReport r = shop.Evaluate(as_of, profile);
  for (const v1::Blocker& b : r.blockers()) {
    if (b.condition() != v1::R1_ORDERS_IN_FLIGHT) continue;
    const size_t n = std::min<size_t>(20, in_flight.size());
    EXPECT_EQ(
        std::vector<std::string>(b.ids().begin(), b.ids().end()),
        std::vector<std::string>(in_flight.begin(), in_flight.begin() + n));
  }
}

TEST(OrderBookTest, IndexesKeepIdOrderWhateverTheIds) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* profile = *registry->Resolve("t1", "s1", "generic");
  struct Case {
    const char* name;
    std::function<std::string(int i, std::mt19937& rng)> id;
  };
  const Case cases[] = {
      {"platform ids, zero-padded",
       [](int i, std::mt19937&) {
         return absl::StrCat("s1-", absl::Dec(i, absl::kZeroPad16));
       }},
      {"the shared prefix shrinks while the indexes are full",
       [](int i, std::mt19937&) {
         const char* prefixes[] = {
             "shop-A-order-000", "shop-A-order-1", "shop-B-", "sh", "t", ""};
         return absl::StrCat(prefixes[std::min(i / 150, 5)], i);
       }},
      {"ids that are prefixes of each other",
       [](int, std::mt19937& rng) {
         std::string id(1 + rng() % 20, 'a');
         for (char& c : id) c = "ab"[rng() % 2];
         return id;
       }},
      {"equal for 20 bytes after the prefix",
       [](int i, std::mt19937& rng) {
         return absl::StrCat("P", std::string(20, '0'), rng() % 3, "-", i);
       }},
      {"UTF-8 ids",
       [](int i, std::mt19937& rng) {
         const char* heads[] = {"订单-", "é", "e", "\xf0\x9f\x98\x80", "~"};
         return absl::StrCat(heads[rng() % 5], i % 97, "-", i);
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::mt19937 rng(7);
    Events ev;
    ShopState shop("t1", "s1");
    std::vector<std::string> ids;
    const absl::Time t0 = At(2026, 3, 1);
    for (int i = 0; i < 1200; ++i) {
      // New orders early on, then mostly moves of known ones; many in the
      // same second, so delivered entries tie on time.
      if (ids.empty() || rng() % 3 == 0) ids.push_back(c.id(i, rng));
      const std::string& id = ids[rng() % ids.size()];
      const auto status = static_cast<v1::OrderStatus>(1 + rng() % 7);
      const absl::Time t = t0 + absl::Seconds(rng() % 50);
      (void)shop.Apply(ev.Order(t, id, status), *profile);
      if (i % 100 == 99) {
        ExpectOrderIndexesMatchRecords(shop, *profile, t0);
        ASSERT_FALSE(::testing::Test::HasFailure()) << "after " << i;
      }
    }
    absl::StatusOr<ShopState> parsed = ShopState::Parse(shop.Serialize());
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(ShopStateTestPeer::internals(*parsed).orders.common_prefix,
              ShopStateTestPeer::internals(shop).orders.common_prefix);
    ExpectOrderIndexesMatchRecords(*parsed, *profile, t0);
    for (absl::Time as_of : {t0, t0 + absl::Hours(24 * 10)}) {
      EXPECT_EQ(parsed->Evaluate(as_of, *profile).SerializeAsString(),
                shop.Evaluate(as_of, *profile).SerializeAsString());
    }
  }
}

TEST(StringArenaTest, ViewsStayValidSmallShopsStaySmall) {
  StringArena arena;
  EXPECT_TRUE(arena.Store("").empty());
  std::vector<std::pair<std::string, absl::string_view>> kept;
  for (int i = 0; i < 5000; ++i) {
    // Mostly short ids, now and then one bigger than any chunk.
    std::string s = i % 997 == 0 ? std::string(70000 + i, 'a' + i % 26)
                                 : "order-" + std::to_string(i);
    kept.emplace_back(s, arena.Store(s));
    if (i == 0) {
      // One small id costs one small chunk, not 64 KiB.
      EXPECT_LE(arena.bytes_reserved(), 70000u + 256u);
    }
  }
  for (const auto& [s, v] : kept) ASSERT_EQ(v, s);
  StringArena small;
  small.Store("order-1");
  EXPECT_LE(small.bytes_reserved(), 256u);
  StringArena moved = std::move(small);
  EXPECT_EQ(moved.Store("x"), "x");
}

}  // namespace
}  // namespace depositd::watchers
