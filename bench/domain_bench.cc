// Domain core benchmarks: the cost of applying one event to a shop and
// evaluating its readiness (and risks), for a small shop and for a shop with
// 1,000,000 open orders. Results: bench/RESULTS.md, "Domain core".
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "watchers/profiles.h"
#include "watchers/risk_watchers.h"
#include "watchers/shop_state.h"

namespace depositd::watchers {
namespace {

absl::Time Day(int m, int d) {
  return absl::FromCivil(absl::CivilSecond(2026, m, d, 0, 0, 0),
                         absl::UTCTimeZone());
}

v1::Event Base(absl::Time t, uint64_t seq) {
  v1::Event e;
  e.set_event_id(absl::StrCat("e", seq));
  e.set_tenant("t1");
  e.set_shop_id("s1");
  e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(t));
  return e;
}

v1::Event Order(absl::Time t, uint64_t seq, const std::string& id,
                v1::OrderStatus s) {
  v1::Event e = Base(t, seq);
  e.mutable_order_status_changed()->set_order_id(id);
  e.mutable_order_status_changed()->set_status(s);
  return e;
}

const ResolvedProfile& Profile() {
  static const ProfileRegistry* reg = [] {
    return ProfileRegistry::Create(v1::DaemonConfig())->release();
  }();
  return **reg->Resolve("t1", "s1", "tiktok_shop_cross_border");
}

// A small realistic shop: deposit, refund account, 50 orders, a dispute,
// a fee; closed.
ShopState SmallShop(uint64_t* seq) {
  ShopState shop("t1", "s1");
  const ResolvedProfile& p = Profile();
  v1::Event paid = Base(Day(1, 1), ++*seq);
  auto* dp = paid.mutable_deposit_paid();
  dp->set_payment_id("dep-1");
  dp->set_kind(v1::BASE);
  dp->mutable_amount()->set_minor_units(50000);
  dp->mutable_amount()->set_currency("USD");
  dp->set_channel("paypal");
  dp->set_paying_account("P");
  (void)shop.Apply(paid, p);
  for (int i = 0; i < 50; ++i) {
    (void)shop.Apply(
        Order(Day(2, 1), ++*seq, absl::StrCat("o-", i), v1::PLACED), p);
    (void)shop.Apply(
        Order(Day(2, 3), ++*seq, absl::StrCat("o-", i), v1::DELIVERED), p);
  }
  v1::Event d = Base(Day(2, 5), ++*seq);
  d.mutable_dispute_opened()->set_dispute_id("atoz-1");
  d.mutable_dispute_opened()->set_kind(v1::A_TO_Z);
  (void)shop.Apply(d, p);
  v1::Event closed = Base(Day(3, 2), ++*seq);
  closed.mutable_shop_closed();
  (void)shop.Apply(closed, p);
  return shop;
}

// Apply an order event (new order placed, then shipped, alternately) and
// evaluate readiness.
void BM_SmallShop_ApplyEvaluate(benchmark::State& state) {
  uint64_t seq = 0;
  ShopState shop = SmallShop(&seq);
  const ResolvedProfile& p = Profile();
  std::vector<v1::Event> events;
  for (int i = 0; i < 4096; ++i) {
    events.push_back(Order(Day(3, 1), ++seq, absl::StrCat("n-", i / 2),
                           i % 2 ? v1::SHIPPED : v1::PLACED));
  }
  size_t i = 0;
  for (auto _ : state) {
    if (i == events.size()) {
      state.PauseTiming();
      shop = SmallShop(&seq);
      i = 0;
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(shop.Apply(events[i++], p));
    benchmark::DoNotOptimize(shop.Evaluate(Day(3, 10), p));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SmallShop_ApplyEvaluate);

void BM_SmallShop_ApplyEvaluateRisks(benchmark::State& state) {
  uint64_t seq = 0;
  ShopState shop = SmallShop(&seq);
  const ResolvedProfile& p = Profile();
  RiskWatchers watchers;
  v1::Event e = Order(Day(3, 1), ++seq, "o-1", v1::COMPLETED);
  for (auto _ : state) {
    benchmark::DoNotOptimize(shop.Apply(e, p));  // a duplicate: no-op path
    benchmark::DoNotOptimize(shop.Evaluate(Day(3, 10), p));
    benchmark::DoNotOptimize(watchers.CheckAll(shop, p, Day(3, 10)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SmallShop_ApplyEvaluateRisks);

// One shop with 1,000,000 open orders (a mix of placed, shipped, in transit,
// and 100,000 delivered inside their return window at as_of).
struct BigShop {
  ShopState shop{"t1", "s1"};
  uint64_t seq = 0;
  BigShop() {
    const ResolvedProfile& p = Profile();
    for (int i = 0; i < 1000000; ++i) {
      const std::string id = absl::StrCat("big-", i);
      (void)shop.Apply(
          Order(Day(3, 1) + absl::Seconds(i), ++seq, id, v1::PLACED), p);
      if (i % 3 == 1) {
        (void)shop.Apply(
            Order(Day(3, 2) + absl::Seconds(i), ++seq, id, v1::SHIPPED), p);
      }
      if (i % 10 == 0) {
        (void)shop.Apply(
            Order(Day(3, 3) + absl::Seconds(i), ++seq, id, v1::DELIVERED), p);
      }
    }
  }
};

BigShop& Big() {
  static BigShop* big = new BigShop();
  return *big;
}

void BM_MillionOrders_ApplyEvaluate(benchmark::State& state) {
  BigShop& big = Big();
  const ResolvedProfile& p = Profile();
  std::vector<v1::Event> events;
  // New orders and moves of existing ones.
  for (int i = 0; i < 8192; ++i) {
    if (i % 2 == 0) {
      events.push_back(
          Order(Day(3, 4), ++big.seq,
                absl::StrCat("new-", state.thread_index(), "-", big.seq),
                v1::PLACED));
    } else {
      events.push_back(Order(Day(3, 4), ++big.seq,
                             absl::StrCat("big-", (i * 7919) % 1000000),
                             v1::IN_TRANSIT));
    }
  }
  size_t i = 0;
  // as_of after every return window: R2 is O(1) here; see the next case.
  for (auto _ : state) {
    benchmark::DoNotOptimize(big.shop.Apply(events[i++ % events.size()], p));
    benchmark::DoNotOptimize(big.shop.Evaluate(Day(4, 1), p));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["approx_MiB"] =
      static_cast<double>(big.shop.ApproximateBytes()) / (1024.0 * 1024.0);
}
BENCHMARK(BM_MillionOrders_ApplyEvaluate);

// Evaluate while 100,000 delivered orders are inside their return window:
// R2 walks the k open windows (O(k)), never all n orders.
void BM_MillionOrders_EvaluateWith100kOpenWindows(benchmark::State& state) {
  BigShop& big = Big();
  const ResolvedProfile& p = Profile();
  for (auto _ : state) {
    benchmark::DoNotOptimize(big.shop.Evaluate(Day(3, 5), p));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MillionOrders_EvaluateWith100kOpenWindows);

void BM_MillionOrders_Serialize(benchmark::State& state) {
  BigShop& big = Big();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string s = big.shop.Serialize();
    bytes = s.size();
    benchmark::DoNotOptimize(s);
  }
  state.counters["snapshot_MiB"] =
      static_cast<double>(bytes) / (1024.0 * 1024.0);
}
BENCHMARK(BM_MillionOrders_Serialize)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void BM_MillionOrders_Parse(benchmark::State& state) {
  const std::string bytes = Big().shop.Serialize();
  for (auto _ : state) {
    auto parsed = ShopState::Parse(bytes);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_MillionOrders_Parse)->Unit(benchmark::kMillisecond)->Iterations(3);

// A busy shop as the ingest mix grows it (tools/loadgen/workload.h): order
// ids like "s1-0000000000012345", 100,000 orders of which 20,000 open, and
// a history of 2,000 fees (half paid, the rest not yet overdue), 500 deductions
// each topped up, 1,000 resolved disputes. Each iteration applies one order
// event (a new order or the next step of an open one, all in the same second)
// and, every fourth event, runs every risk watcher, as a shard does for a
// touched shop.
struct BusyShop {
  ShopState shop{"t1", "s1"};
  uint64_t seq = 0;
  std::vector<std::string> open;
  uint32_t next = 0;
  static std::string Id(uint32_t n) {
    return absl::StrCat("s1-", absl::Dec(n, absl::kZeroPad16));
  }
  BusyShop() {
    const ResolvedProfile& p = Profile();
    v1::Event paid = Base(Day(1, 1), ++seq);
    auto* dp = paid.mutable_deposit_paid();
    dp->set_payment_id("dep");
    dp->set_kind(v1::BASE);
    dp->mutable_amount()->set_minor_units(50000);
    dp->mutable_amount()->set_currency("USD");
    (void)shop.Apply(paid, p);
    for (int i = 0; i < 2000; ++i) {
      v1::Event f = Base(Day(1, 2) + absl::Minutes(i), ++seq);
      auto* fc = f.mutable_fee_charged();
      fc->set_fee_id(absl::StrCat("s1-f", i));
      fc->set_category(v1::ADS_SETTLEMENT);
      fc->mutable_amount()->set_minor_units(300);
      fc->mutable_amount()->set_currency("USD");
      *fc->mutable_due_at() = Base(Day(6, 1), 0).occurred_at();  // not overdue
      (void)shop.Apply(f, p);
      if (i % 2 == 0) {
        v1::Event fp = Base(Day(1, 3) + absl::Minutes(i), ++seq);
        fp.mutable_fee_paid()->set_fee_id(absl::StrCat("s1-f", i));
        *fp.mutable_fee_paid()->mutable_amount() = fc->amount();
        (void)shop.Apply(fp, p);
      }
    }
    for (int i = 0; i < 500; ++i) {
      v1::Event d = Base(Day(1, 4) + absl::Minutes(i), ++seq);
      auto* dd = d.mutable_deposit_deducted();
      dd->set_deduction_id(absl::StrCat("s1-x", i));
      dd->set_kind(v1::BASE);
      dd->mutable_amount()->set_minor_units(100);
      dd->mutable_amount()->set_currency("USD");
      (void)shop.Apply(d, p);
      v1::Event a = Base(Day(1, 5) + absl::Minutes(i), ++seq);
      a.mutable_appeal_filed()->set_deduction_id(absl::StrCat("s1-x", i));
      (void)shop.Apply(a, p);
      v1::Event t = Base(Day(1, 6) + absl::Minutes(i), ++seq);
      auto* tu = t.mutable_deposit_topped_up();
      tu->set_payment_id(absl::StrCat("s1-t", i));
      tu->set_kind(v1::BASE);
      tu->mutable_amount()->set_minor_units(100);
      tu->mutable_amount()->set_currency("USD");
      (void)shop.Apply(t, p);
    }
    for (int i = 0; i < 1000; ++i) {
      v1::Event o = Base(Day(1, 7), ++seq);
      o.mutable_dispute_opened()->set_dispute_id(absl::StrCat("dn", Id(i)));
      o.mutable_dispute_opened()->set_kind(v1::NOT_RECEIVED);
      (void)shop.Apply(o, p);
      v1::Event r = Base(Day(1, 8), ++seq);
      r.mutable_dispute_resolved()->set_dispute_id(absl::StrCat("dn", Id(i)));
      r.mutable_dispute_resolved()->set_outcome(v1::SELLER_WON);
      (void)shop.Apply(r, p);
    }
    for (; next < 100000; ++next) {
      (void)shop.Apply(Order(Day(2, 1), ++seq, Id(next), v1::PLACED), p);
      if (next % 5 != 0) {
        (void)shop.Apply(Order(Day(2, 2), ++seq, Id(next), v1::COMPLETED), p);
      } else {
        open.push_back(Id(next));
      }
    }
  }
};

void BM_BusyShop_ApplyOrderAndCheckRisks(benchmark::State& state) {
  BusyShop busy;
  const ResolvedProfile& p = Profile();
  RiskWatchers watchers;
  const v1::OrderStatus steps[] = {v1::SHIPPED, v1::IN_TRANSIT, v1::DELIVERED,
                                   v1::COMPLETED};
  uint64_t rng = 42;
  int64_t i = 0;
  for (auto _ : state) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    v1::Event e;
    if (rng >> 62 == 0) {
      busy.open.push_back(BusyShop::Id(busy.next++));
      e = Order(Day(3, 1), ++busy.seq, busy.open.back(), v1::PLACED);
    } else {
      const std::string& id = busy.open[(rng >> 20) % busy.open.size()];
      e = Order(Day(3, 1), ++busy.seq, id, steps[(rng >> 8) % 4]);
    }
    benchmark::DoNotOptimize(busy.shop.Apply(e, p));
    if (++i % 4 == 0) {
      benchmark::DoNotOptimize(watchers.CheckAll(busy.shop, p, Day(3, 1)));
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BusyShop_ApplyOrderAndCheckRisks);

// What a checkpoint slice spends on a busy shop: its head (everything but
// the orders and, past kRecordsInHead, the paged records: payments,
// deductions, refunds, fees, disputes), one page of kOrderPageSlots orders,
// and (BM_BusyShop_CheckpointAfterATopUp) what a round writes after one
// new record: the head and the dirty record page. Before records were
// paged (c3dc692) this shop's head was 222 KiB, 1.5-2 ms.
void BM_BusyShop_SerializeHead(benchmark::State& state) {
  BusyShop busy;
  size_t bytes = 0;
  for (auto _ : state) {
    std::string s = busy.shop.SerializeHead();
    bytes = s.size();
    benchmark::DoNotOptimize(s);
  }
  state.counters["head_KiB"] = static_cast<double>(bytes) / 1024.0;
}
BENCHMARK(BM_BusyShop_SerializeHead)->Unit(benchmark::kMicrosecond);

void BM_BusyShop_CheckpointAfterATopUp(benchmark::State& state) {
  BusyShop busy;
  const ResolvedProfile& p = Profile();
  (void)busy.shop.TakeDirtyPages();
  size_t bytes = 0;
  int64_t i = 0;
  for (auto _ : state) {
    v1::Event t = Base(Day(3, 1) + absl::Seconds(i), ++busy.seq);
    auto* tu = t.mutable_deposit_topped_up();
    tu->set_payment_id(absl::StrCat("s1-bench-t", i++));
    tu->set_kind(v1::BASE);
    tu->mutable_amount()->set_minor_units(100);
    tu->mutable_amount()->set_currency("USD");
    benchmark::DoNotOptimize(busy.shop.Apply(t, p));
    std::string head = busy.shop.SerializeHead();
    bytes = head.size();
    for (uint32_t page : busy.shop.TakeDirtyPages()) {
      std::string s = busy.shop.SerializePage(page);
      bytes += s.size();
      benchmark::DoNotOptimize(s);
    }
    benchmark::DoNotOptimize(head);
  }
  state.counters["written_KiB"] = static_cast<double>(bytes) / 1024.0;
}
BENCHMARK(BM_BusyShop_CheckpointAfterATopUp)->Unit(benchmark::kMicrosecond);

void BM_BusyShop_SerializeOrderPage(benchmark::State& state) {
  BusyShop busy;
  size_t bytes = 0;
  uint32_t page = 0;
  const uint32_t pages = busy.shop.order_pages();
  for (auto _ : state) {
    std::string s = busy.shop.SerializeOrderPage(page++ % pages);
    bytes = s.size();
    benchmark::DoNotOptimize(s);
  }
  state.counters["page_KiB"] = static_cast<double>(bytes) / 1024.0;
}
BENCHMARK(BM_BusyShop_SerializeOrderPage)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace depositd::watchers
