#include "watchers/shop_records.h"

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace depositd::watchers {
namespace {

// SubjectRecord is the one event -> record mapping (CountSubject and the
// record pages both use it): every event about one of the five paged
// records names it by its id field, and no other event names a record.
TEST(SubjectRecord, NamesTheRecordOfEachRecordEvent) {
  struct Case {
    const char* name;
    void (*set)(v1::Event* e);
    RecordKind kind;
  };
  const std::vector<Case> cases = {
      {"deposit_paid",
       [](v1::Event* e) { e->mutable_deposit_paid()->set_payment_id("x"); },
       kPaymentKind},
      {"deposit_topped_up",
       [](v1::Event* e) {
         e->mutable_deposit_topped_up()->set_payment_id("x");
       },
       kPaymentKind},
      {"deposit_deducted",
       [](v1::Event* e) {
         e->mutable_deposit_deducted()->set_deduction_id("x");
       },
       kDeductionKind},
      {"appeal_filed",
       [](v1::Event* e) { e->mutable_appeal_filed()->set_deduction_id("x"); },
       kDeductionKind},
      {"appeal_decided",
       [](v1::Event* e) { e->mutable_appeal_decided()->set_deduction_id("x"); },
       kDeductionKind},
      {"refund_requested",
       [](v1::Event* e) { e->mutable_refund_requested()->set_refund_id("x"); },
       kRefundKind},
      {"refund_paid",
       [](v1::Event* e) { e->mutable_refund_paid()->set_refund_id("x"); },
       kRefundKind},
      {"refund_rejected",
       [](v1::Event* e) { e->mutable_refund_rejected()->set_refund_id("x"); },
       kRefundKind},
      {"fee_charged",
       [](v1::Event* e) { e->mutable_fee_charged()->set_fee_id("x"); },
       kFeeKind},
      {"fee_paid", [](v1::Event* e) { e->mutable_fee_paid()->set_fee_id("x"); },
       kFeeKind},
      {"fee_waived",
       [](v1::Event* e) { e->mutable_fee_waived()->set_fee_id("x"); },
       kFeeKind},
      {"dispute_opened",
       [](v1::Event* e) { e->mutable_dispute_opened()->set_dispute_id("x"); },
       kDisputeKind},
      {"dispute_deadline_changed",
       [](v1::Event* e) {
         e->mutable_dispute_deadline_changed()->set_dispute_id("x");
       },
       kDisputeKind},
      {"dispute_responded",
       [](v1::Event* e) {
         e->mutable_dispute_responded()->set_dispute_id("x");
       },
       kDisputeKind},
      {"dispute_resolved",
       [](v1::Event* e) { e->mutable_dispute_resolved()->set_dispute_id("x"); },
       kDisputeKind},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Event e;
    c.set(&e);
    const auto [kind, id] = SubjectRecord(e);
    ASSERT_NE(id, nullptr);
    EXPECT_EQ(*id, "x");
    EXPECT_EQ(kind, c.kind);
  }

  // Events that change no paged record name none.
  v1::Event order;
  order.mutable_order_status_changed()->set_order_id("o");
  v1::Event violation;
  violation.mutable_violation_recorded()->set_violation_id("v");
  v1::Event clawback;
  clawback.mutable_clawback_paid()->set_payment_id("p");
  for (const v1::Event& e : {order, violation, clawback, v1::Event()}) {
    EXPECT_EQ(SubjectRecord(e).second, nullptr) << e.ShortDebugString();
  }
}

// VisitRecordKind and RecordTraits agree: each kind reaches its own map
// and its own RecordPage list, and ForEachRecordKind visits all five once,
// in RecordKind order.
TEST(RecordTraits, EachKindReachesItsOwnMapAndPageList) {
  ShopStateInternals in;
  in.payments["p"];
  in.deductions["d1"];
  in.deductions["d2"];
  in.refunds["r1"];
  in.refunds["r2"];
  in.refunds["r3"];
  in.fees["f"];
  in.disputes["x"];
  store::v1::RecordPage page;
  page.add_payments();
  page.add_deductions();
  page.add_deductions();
  page.add_refunds();
  page.add_refunds();
  page.add_refunds();
  page.add_fees();
  page.add_disputes();
  std::vector<int> kinds;
  std::vector<size_t> map_sizes;
  std::vector<int> page_sizes;
  ForEachRecordKind([&](auto traits) {
    using T = decltype(traits);
    kinds.push_back(T::kKind);
    map_sizes.push_back(T::Map(in).size());
    page_sizes.push_back(T::Of(page).size());
  });
  EXPECT_EQ(kinds, (std::vector<int>{kPaymentKind, kDeductionKind, kRefundKind,
                                     kFeeKind, kDisputeKind}));
  EXPECT_EQ(map_sizes, (std::vector<size_t>{1, 2, 3, 1, 1}));
  EXPECT_EQ(page_sizes, (std::vector<int>{1, 2, 3, 1, 1}));
  EXPECT_EQ(PagedRecordCount(in), 8u);

  int visited = 0;
  VisitRecordKind(kRefundKind, [&](auto traits) {
    ++visited;
    EXPECT_EQ(decltype(traits)::kKind, kRefundKind);
  });
  VisitRecordKind(static_cast<RecordKind>(0), [&](auto) { ++visited; });
  EXPECT_EQ(visited, 1);
}

}  // namespace
}  // namespace depositd::watchers
