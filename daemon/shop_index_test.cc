// ShopIndex (shop_index.h): the facts and sets kept per shard, the verdict
// refresh (stale after a check, READY_AT turning READY when its time comes)
// and StakeOf's money-at-stake rules. A fake evaluator stands in for the
// readiness rules; no shard, thread or store.
#include "daemon/shop_index.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/timestamps.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1772668800);  // 2026-03-05

v1::Alert Firing(v1::AlertKind kind, int64_t minor, const std::string& currency,
                 absl::Time due) {
  v1::Alert a;
  a.mutable_key()->set_kind(kind);
  a.mutable_key()->set_subject(absl::StrCat(minor, currency));
  a.set_state(v1::FIRING);
  if (!currency.empty()) {
    a.mutable_amount_at_risk()->set_minor_units(minor);
    a.mutable_amount_at_risk()->set_currency(currency);
  }
  if (due != absl::InfiniteFuture()) {
    common::ToTimestamp(due, a.mutable_due_at());
  }
  return a;
}

TEST(StakeOfTest, LargestAmountPerCurrencyRankedInMajorUnitsNearestDue) {
  notifier::AlertBook book;
  book.Restore({
      Firing(v1::BALANCE_SHORT, 3500, "USD", kNow + absl::Hours(5)),
      Firing(v1::UNPAID_FEES, 1000, "USD", kNow + absl::Hours(2)),
      Firing(v1::APPEAL_WINDOW_CLOSING, 50000, "JPY", absl::InfiniteFuture()),
  });
  ShopStake s = StakeOf(book);
  ASSERT_EQ(s.amounts.size(), 2u);
  EXPECT_EQ(s.amounts[0].currency(), "JPY");
  EXPECT_EQ(s.amounts[0].minor_units(), 50000);
  EXPECT_EQ(s.amounts[1].currency(), "USD");
  EXPECT_EQ(s.amounts[1].minor_units(), 3500);  // the largest, not the sum
  // JPY 50,000 (0 minor digits) outranks USD 35.00.
  EXPECT_EQ(s.rank, 50000LL * 1000000);
  EXPECT_EQ(s.due, absl::ToUnixNanos(kNow + absl::Hours(2)));

  notifier::AlertBook none;
  ShopStake empty = StakeOf(none);
  EXPECT_TRUE(empty.amounts.empty());
  EXPECT_EQ(empty.rank, 0);
  EXPECT_EQ(empty.due, kNoDeadline);
}

class ShopIndexTest : public ::testing::Test {
 protected:
  ShopIndexTest()
      : index_([this](ShopEntry* e, absl::Time now) {
          ++evaluations_;
          v1::ReadinessReport r;
          auto it = ready_at_.find(std::string(e->key));
          if (it != ready_at_.end()) {
            if (now >= it->second) {
              r.set_verdict(v1::READY);
            } else {
              r.set_verdict(v1::READY_AT);
              common::ToTimestamp(it->second, r.mutable_ready_at());
            }
          } else {
            r.set_verdict(verdicts_[std::string(e->key)]);
          }
          return r;
        }) {
    generic_.settings.set_name("generic");
    tiktok_.settings.set_name("tiktok");
  }

  ShopEntry* Shop(const std::string& tenant, const std::string& id,
                  const watchers::ResolvedProfile* profile) {
    keys_.push_back(std::make_unique<std::string>(tenant + '\0' + id));
    entries_.push_back(std::make_unique<ShopEntry>(
        *keys_.back(), 0, watchers::ShopState(tenant, id)));
    entries_.back()->profile = profile;
    return entries_.back().get();
  }

  watchers::ResolvedProfile generic_, tiktok_;
  std::map<std::string, v1::Verdict> verdicts_;
  std::map<std::string, absl::Time> ready_at_;
  int evaluations_ = 0;
  std::vector<std::unique_ptr<std::string>> keys_;
  std::vector<std::unique_ptr<ShopEntry>> entries_;
  ShopIndex index_;
};

TEST_F(ShopIndexTest, ChecksMarkVerdictsStaleAndRefreshFillsTheSets) {
  ShopEntry* a1 = Shop("acme", "a1", &generic_);
  ShopEntry* a2 = Shop("acme", "a2", &tiktok_);
  ShopEntry* g1 = Shop("globex", "g1", &generic_);
  verdicts_[std::string(a1->key)] = v1::NOT_READY;
  verdicts_[std::string(a2->key)] = v1::READY;
  verdicts_[std::string(g1->key)] = v1::NOT_READY;
  a1->alerts.Restore(
      {Firing(v1::BALANCE_SHORT, 100, "USD", kNow + absl::Hours(1))});
  g1->alerts.Restore(
      {Firing(v1::BALANCE_SHORT, 900, "USD", kNow + absl::Hours(9)),
       Firing(v1::UNPAID_FEES, 5, "USD", absl::InfiniteFuture())});
  for (ShopEntry* e : {a1, a2, g1}) index_.Loaded(e);

  // Alert and profile facts at once; verdicts only after a refresh.
  EXPECT_EQ(index_.stale_count(), 3u);
  EXPECT_TRUE(index_.by_verdict(v1::NOT_READY).empty());
  EXPECT_EQ(index_.by_kind(v1::BALANCE_SHORT)->size(), 2u);
  EXPECT_EQ(index_.by_profile("tiktok")->size(), 1u);
  EXPECT_EQ(index_.by_profile("nope"), nullptr);
  EXPECT_TRUE(index_.has_work(kNow));
  EXPECT_EQ(index_.Refresh(kNow, absl::InfiniteDuration()), 3);
  EXPECT_FALSE(index_.has_work(kNow));

  EXPECT_EQ(index_.by_verdict(v1::NOT_READY).size(), 2u);
  EXPECT_EQ(index_.by_verdict(v1::READY).count(a2->key), 1u);
  EXPECT_EQ(index_.total().shops, 3);
  EXPECT_EQ(index_.total().at_risk, 2);
  EXPECT_EQ(index_.total().kinds[v1::UNPAID_FEES], 1);
  ASSERT_NE(index_.tenant("acme"), nullptr);
  EXPECT_EQ(index_.tenant("acme")->shops, 2);
  EXPECT_EQ(index_.tenant("acme")->verdicts[v1::READY], 1);
  EXPECT_EQ(index_.tenant("nobody"), nullptr);
  EXPECT_EQ(index_.tenant_names(),
            (std::vector<absl::string_view>{"acme", "globex"}));
  // Risk order: most at stake first.
  ASSERT_EQ(index_.by_risk().size(), 2u);
  EXPECT_EQ(index_.by_risk().begin()->key, g1->key);

  // A check moves the shop's facts; its verdict is evaluated again only.
  a1->alerts.Restore({});
  verdicts_[std::string(a1->key)] = v1::READY;
  index_.Checked(a1);
  EXPECT_EQ(index_.by_kind(v1::BALANCE_SHORT)->size(), 1u);
  EXPECT_EQ(index_.total().at_risk, 1);
  evaluations_ = 0;
  index_.Refresh(kNow, absl::InfiniteDuration());
  EXPECT_EQ(evaluations_, 1);
  EXPECT_EQ(index_.by_verdict(v1::READY).size(), 2u);
  EXPECT_EQ(index_.tenant("acme")->verdicts[v1::NOT_READY], 0);
}

TEST_F(ShopIndexTest, ReadyAtTurnsReadyWhenItsTimeComesWithoutAnEvent) {
  ShopEntry* s = Shop("acme", "waiting", &generic_);
  ready_at_[std::string(s->key)] = kNow + absl::Hours(24);
  index_.Checked(s);
  index_.Refresh(kNow, absl::InfiniteDuration());
  EXPECT_EQ(index_.by_verdict(v1::READY_AT).size(), 1u);
  EXPECT_FALSE(index_.has_work(kNow + absl::Hours(23)));
  EXPECT_TRUE(index_.has_work(kNow + absl::Hours(24)));
  index_.Refresh(kNow + absl::Hours(25), absl::InfiniteDuration());
  EXPECT_TRUE(index_.by_verdict(v1::READY_AT).empty());
  EXPECT_EQ(index_.by_verdict(v1::READY).size(), 1u);
  EXPECT_EQ(index_.total().verdicts[v1::READY], 1);
}

TEST_F(ShopIndexTest, WatchdogEntriesAreNotShops) {
  ShopEntry* feed = Shop("acme", "", &generic_);
  feed->feed = true;
  index_.Checked(feed);
  EXPECT_EQ(index_.total().shops, 0);
  EXPECT_FALSE(index_.has_work(kNow));
}

}  // namespace
}  // namespace depositd::daemon
