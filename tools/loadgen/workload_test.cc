#include "tools/loadgen/workload.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "watchers/profiles.h"
#include "watchers/risk_watchers.h"
#include "watchers/shop_state.h"

namespace depositd::loadgen {
namespace {

const absl::Time kStart = absl::FromCivil(
    absl::CivilSecond(2026, 3, 5, 8, 0, 0), absl::UTCTimeZone());

// Applies events to per-shop watchers::ShopState with the built-in profiles,
// as the daemon's shards do.
class Shops {
 public:
  Shops() {
    auto registry = watchers::ProfileRegistry::Create(v1::DaemonConfig());
    EXPECT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);
  }

  absl::Status Apply(const v1::Event& e) {
    absl::Status valid = watchers::ValidateEvent(e);
    if (!valid.ok()) return valid;
    auto it = shops_.find(e.shop_id());
    if (it == shops_.end()) {
      it = shops_
               .emplace(e.shop_id(), std::make_unique<watchers::ShopState>(
                                         e.tenant(), e.shop_id()))
               .first;
    }
    return it->second->Apply(e, Profile(*it->second));
  }

  const watchers::ResolvedProfile& Profile(const watchers::ShopState& s) {
    auto p = registry_->Resolve(s.tenant(), s.shop_id(), s.profile_name());
    EXPECT_TRUE(p.ok()) << p.status();
    return **p;
  }

  const absl::flat_hash_map<std::string, std::unique_ptr<watchers::ShopState>>&
  shops() const {
    return shops_;
  }

 private:
  std::unique_ptr<watchers::ProfileRegistry> registry_;
  absl::flat_hash_map<std::string, std::unique_ptr<watchers::ShopState>> shops_;
};

TEST(PlatformsTest, FiveBuiltInProfilesWithSharesAddingUpTo100) {
  auto registry = watchers::ProfileRegistry::Create(v1::DaemonConfig());
  ASSERT_TRUE(registry.ok()) << registry.status();
  int shares = 0;
  std::set<std::string> names;
  for (const Platform& p : Platforms()) {
    EXPECT_TRUE((*registry)->HasProfile(p.profile)) << p.profile;
    shares += p.share_percent;
    names.insert(p.name);
  }
  EXPECT_EQ(shares, 100);
  EXPECT_EQ(names, (std::set<std::string>{"tiktok_shop", "douyin", "shopee",
                                          "amazon", "temu"}));
  // Shops spread over all five.
  std::map<std::string, int> seen;
  for (int i = 0; i < 10000; ++i) ++seen[PlatformOfShop(i).name];
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_GT(seen["tiktok_shop"], 2500);
  EXPECT_LT(seen["douyin"], 1300);
}

TEST(WorkloadGeneratorTest, EveryEventIsValidInItsShopsContext) {
  WorkloadOptions options;
  options.shops = 300;
  options.seed = 11;
  auto gen = WorkloadGenerator::Create(options);
  ASSERT_TRUE(gen.ok()) << gen.status();
  Shops shops;
  MixCounts mix;
  v1::Event e;
  absl::Time now = kStart;
  for (int i = 0; i < 200000; ++i) {
    (*gen)->Next(now, &e);
    now += absl::Milliseconds(1);
    mix.Add(e);
    absl::Status s = shops.Apply(e);
    ASSERT_TRUE(s.ok()) << "event " << i << ": " << s << "\n"
                        << e.DebugString();
  }
  EXPECT_EQ((*gen)->events(), 200000);
  // The mix holds every kind of event the header promises.
  for (v1::Event::BodyCase c :
       {v1::Event::kShopRegistered, v1::Event::kDepositPaid,
        v1::Event::kRefundAccountSet, v1::Event::kOrderStatusChanged,
        v1::Event::kSaleRecorded, v1::Event::kDisputeOpened,
        v1::Event::kDisputeResponded, v1::Event::kDisputeResolved,
        v1::Event::kFeeCharged, v1::Event::kFeePaid,
        v1::Event::kDepositDeducted, v1::Event::kDepositToppedUp,
        v1::Event::kAppealFiled, v1::Event::kAppealDecided,
        v1::Event::kMetricsReported}) {
    EXPECT_GT(mix.by_body[c], 0) << "no event with body case " << c;
  }
  // Orders dominate, as in real feeds.
  const int64_t orders = mix.by_body[v1::Event::kOrderStatusChanged] +
                         mix.by_body[v1::Event::kSaleRecorded];
  EXPECT_GT(orders, mix.total * 85 / 100);
  EXPECT_EQ(mix.by_body[v1::Event::kShopRegistered], 300);
}

TEST(WorkloadGeneratorTest, OnlyDeductionsFireAlertsAtOnce) {
  // Deadlines in the mix are days away; only a deduction not yet topped up
  // makes BALANCE_SHORT true now.
  WorkloadOptions options;
  options.shops = 200;
  auto gen = WorkloadGenerator::Create(options);
  ASSERT_TRUE(gen.ok());
  Shops shops;
  v1::Event e;
  absl::Time now = kStart;
  for (int i = 0; i < 50000; ++i) {
    (*gen)->Next(now, &e);
    now += absl::Milliseconds(1);
    ASSERT_TRUE(shops.Apply(e).ok());
  }
  watchers::RiskWatchers watchers;
  std::set<v1::AlertKind> kinds;
  for (const auto& [id, shop] : shops.shops()) {
    const watchers::WatchResult r =
        watchers.CheckAll(*shop, shops.Profile(*shop), now);
    for (const v1::Finding& f : r.findings) kinds.insert(f.key().kind());
    EXPECT_GT(r.next_check, now + absl::Hours(1)) << id;
  }
  for (v1::AlertKind k : kinds) EXPECT_EQ(k, v1::BALANCE_SHORT) << k;
}

TEST(WorkloadGeneratorTest, ShopSizesAreSkewed) {
  WorkloadOptions options;
  options.shops = 1000;
  options.zipf_exponent = 1.1;
  auto gen = WorkloadGenerator::Create(options);
  ASSERT_TRUE(gen.ok());
  std::map<std::string, int64_t> per_shop;
  v1::Event e;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    (*gen)->Next(kStart, &e);
    ++per_shop[e.shop_id()];
  }
  std::vector<int64_t> sizes;
  for (const auto& [id, c] : per_shop) sizes.push_back(c);
  std::sort(sizes.rbegin(), sizes.rend());
  // H(1000, 1.1) is about 5.4: the largest shop gets ~18% of the events,
  // the median shop well under 0.1%.
  EXPECT_GT(sizes[0], n / 10);
  EXPECT_EQ(per_shop["shop-0"], sizes[0]);
  EXPECT_LT(sizes[sizes.size() / 2], n / 1000);
  // The top 1% of shops carry over a third of the events.
  int64_t top = 0;
  for (int i = 0; i < 10; ++i) top += sizes[i];
  EXPECT_GT(top, n / 3);
}

TEST(WorkloadGeneratorTest, UniformWhenExponentIsZero) {
  WorkloadOptions options;
  options.shops = 10;
  options.zipf_exponent = 0;
  auto gen = WorkloadGenerator::Create(options);
  ASSERT_TRUE(gen.ok());
  std::map<std::string, int64_t> per_shop;
  v1::Event e;
  for (int i = 0; i < 100000; ++i) {
    (*gen)->Next(kStart, &e);
    ++per_shop[e.shop_id()];
  }
  ASSERT_EQ(per_shop.size(), 10u);
  for (const auto& [id, c] : per_shop) {
    EXPECT_GT(c, 9000) << id;
    EXPECT_LT(c, 11000) << id;
  }
}

TEST(WorkloadGeneratorTest, DeterministicForASeedAndPartitionsAreDisjoint) {
  WorkloadOptions options;
  options.shops = 100;
  options.partitions = 3;
  std::vector<std::set<std::string>> shops_of(3);
  for (int p = 0; p < 3; ++p) {
    options.partition = p;
    auto a = WorkloadGenerator::Create(options);
    auto b = WorkloadGenerator::Create(options);
    ASSERT_TRUE(a.ok() && b.ok());
    v1::Event ea, eb;
    for (int i = 0; i < 5000; ++i) {
      (*a)->Next(kStart, &ea);
      (*b)->Next(kStart, &eb);
      ASSERT_EQ(ea.SerializeAsString(), eb.SerializeAsString()) << i;
      shops_of[p].insert(ea.shop_id());
    }
    EXPECT_EQ((*a)->partition_shops(), p == 0 ? 34 : 33);
  }
  for (int p = 0; p < 3; ++p) {
    for (int q = p + 1; q < 3; ++q) {
      for (const std::string& s : shops_of[p]) {
        EXPECT_EQ(shops_of[q].count(s), 0u) << s;
      }
    }
  }
  options.seed = 2;
  options.partition = 0;
  auto c = WorkloadGenerator::Create(options);
  options.seed = 1;
  auto d = WorkloadGenerator::Create(options);
  v1::Event ec, ed;
  int differ = 0;
  for (int i = 0; i < 1000; ++i) {
    (*c)->Next(kStart, &ec);
    (*d)->Next(kStart, &ed);
    if (ec.shop_id() != ed.shop_id()) ++differ;
  }
  EXPECT_GT(differ, 100);
}

TEST(WorkloadGeneratorTest, RejectsBadOptions) {
  WorkloadOptions options;
  options.shops = 0;
  EXPECT_FALSE(WorkloadGenerator::Create(options).ok());
  options.shops = 2;
  options.partitions = 3;
  options.partition = 2;
  EXPECT_FALSE(WorkloadGenerator::Create(options).ok());
  options.partitions = 1;
  options.partition = 0;
  options.id_prefix = "has space";
  EXPECT_FALSE(WorkloadGenerator::Create(options).ok());
  options.id_prefix = "ok";
  options.zipf_exponent = -1;
  EXPECT_FALSE(WorkloadGenerator::Create(options).ok());
}

TEST(PopulationGeneratorTest, BuildsTheRequestedOpenOrdersValidly) {
  PopulationOptions options;
  options.shops = 500;
  options.open_orders = 20000;
  options.partitions = 2;
  int64_t total_orders = 0, total_events = 0, expected_events = 0;
  Shops shops;
  std::map<std::string, std::set<std::string>> orders_of;
  for (int p = 0; p < 2; ++p) {
    options.partition = p;
    auto gen = PopulationGenerator::Create(options);
    ASSERT_TRUE(gen.ok()) << gen.status();
    total_orders += (*gen)->partition_orders();
    // 3 boot events per shop, one PLACED per order, SHIPPED for orders
    // 0-2 of every 10.
    for (int64_t i = p; i < options.shops; i += 2) {
      const int64_t o = (*gen)->OrdersOfShop(i);
      expected_events += 3 + o + (o / 10) * 3 + std::min<int64_t>(o % 10, 3);
    }
    v1::Event e;
    int64_t events = 0;
    while ((*gen)->Next(kStart, &e)) {
      ++events;
      absl::Status s = shops.Apply(e);
      ASSERT_TRUE(s.ok()) << s << "\n" << e.DebugString();
      if (e.has_order_status_changed()) {
        orders_of[e.shop_id()].insert(e.order_status_changed().order_id());
      }
    }
    EXPECT_EQ(events, (*gen)->total_events());
    EXPECT_FALSE((*gen)->Next(kStart, &e));
    total_events += events;
  }
  EXPECT_EQ(total_orders, 20000);
  EXPECT_EQ(shops.shops().size(), 500u);
  int64_t distinct = 0;
  for (const auto& [shop, ids] : orders_of) distinct += ids.size();
  EXPECT_EQ(distinct, 20000);
  EXPECT_EQ(total_events, expected_events);
  EXPECT_GT(total_events, 3 * 500 + 20000 + 5000);
  // Every order is still open: R1 holds them all.
  for (const auto& [id, shop] : shops.shops()) {
    const v1::ReadinessReport r = shop->Evaluate(kStart, shops.Profile(*shop));
    bool r1 = false;
    for (const v1::Blocker& b : r.blockers()) {
      if (b.condition() == v1::R1_ORDERS_IN_FLIGHT) r1 = true;
    }
    EXPECT_TRUE(r1) << id;
  }
}

TEST(PopulationGeneratorTest, SkewedButEveryShopHasAnOrder) {
  PopulationOptions options;
  options.shops = 10000;
  options.open_orders = 50000;
  auto gen = PopulationGenerator::Create(options);
  ASSERT_TRUE(gen.ok());
  int64_t sum = 0, max = 0;
  for (int64_t i = 0; i < options.shops; ++i) {
    EXPECT_GE((*gen)->OrdersOfShop(i), 1);
    sum += (*gen)->OrdersOfShop(i);
    max = std::max(max, (*gen)->OrdersOfShop(i));
  }
  EXPECT_EQ(sum, 50000);
  EXPECT_EQ(max, (*gen)->OrdersOfShop(0));
  EXPECT_GT(max, 2000);
  options.open_orders = 10;
  EXPECT_FALSE(PopulationGenerator::Create(options).ok());
}

TEST(SingleEventsTest, DisputeBuildersAreValid) {
  Shops shops;
  v1::Event e;
  MakeDisputeOpened("t", "s", "e1", "d1", kStart + absl::Hours(1), kStart, &e);
  ASSERT_TRUE(shops.Apply(e).ok());
  MakeDisputeDeadlineChanged("t", "s", "e2", "d1", kStart + absl::Hours(30),
                             kStart + absl::Seconds(1), &e);
  ASSERT_TRUE(shops.Apply(e).ok());
}

TEST(SingleEventsTest, ADisputeDueWithinTheLeadFiresAtOnce) {
  Shops shops;
  v1::Event e;
  MakeDisputeOpened("t", "s", "e1", "d1", kStart + absl::Hours(1), kStart, &e);
  ASSERT_TRUE(shops.Apply(e).ok());
  const watchers::ShopState& shop = *shops.shops().at("s");
  watchers::RiskWatchers watchers;
  const watchers::WatchResult r =
      watchers.CheckAll(shop, shops.Profile(shop), kStart);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].key().kind(), v1::DISPUTE_RESPONSE_DUE);
  EXPECT_EQ(r.findings[0].key().subject(), "d1");
}

}  // namespace
}  // namespace depositd::loadgen
