#include "watchers/shop_records.h"

#include <cassert>

namespace depositd::watchers {

std::pair<RecordKind, const std::string*> SubjectRecord(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kDepositPaid:
      return {kPaymentKind, &e.deposit_paid().payment_id()};
    case v1::Event::kDepositToppedUp:
      return {kPaymentKind, &e.deposit_topped_up().payment_id()};
    case v1::Event::kDepositDeducted:
      return {kDeductionKind, &e.deposit_deducted().deduction_id()};
    case v1::Event::kAppealFiled:
      return {kDeductionKind, &e.appeal_filed().deduction_id()};
    case v1::Event::kAppealDecided:
      return {kDeductionKind, &e.appeal_decided().deduction_id()};
    case v1::Event::kRefundRequested:
      return {kRefundKind, &e.refund_requested().refund_id()};
    case v1::Event::kRefundPaid:
      return {kRefundKind, &e.refund_paid().refund_id()};
    case v1::Event::kRefundRejected:
      return {kRefundKind, &e.refund_rejected().refund_id()};
    case v1::Event::kFeeCharged:
      return {kFeeKind, &e.fee_charged().fee_id()};
    case v1::Event::kFeePaid:
      return {kFeeKind, &e.fee_paid().fee_id()};
    case v1::Event::kFeeWaived:
      return {kFeeKind, &e.fee_waived().fee_id()};
    case v1::Event::kDisputeOpened:
      return {kDisputeKind, &e.dispute_opened().dispute_id()};
    case v1::Event::kDisputeDeadlineChanged:
      return {kDisputeKind, &e.dispute_deadline_changed().dispute_id()};
    case v1::Event::kDisputeResponded:
      return {kDisputeKind, &e.dispute_responded().dispute_id()};
    case v1::Event::kDisputeResolved:
      return {kDisputeKind, &e.dispute_resolved().dispute_id()};
    default:
      return {kPaymentKind, nullptr};
  }
}

size_t PagedRecordCount(const ShopStateInternals& in) {
  size_t n = 0;
  ForEachRecordKind([&](auto kind) { n += decltype(kind)::Map(in).size(); });
  return n;
}

namespace {

bool HasRecord(const ShopStateInternals& in, RecordKind kind,
               const std::string& id) {
  bool found = false;
  VisitRecordKind(kind, [&](auto traits) {
    found = decltype(traits)::Map(in).contains(id);
  });
  return found;
}

}  // namespace

void SlotAllRecords(ShopStateInternals& in) {
  RecordBook& rb = in.records;
  ForEachRecordKind([&](auto traits) {
    using T = decltype(traits);
    for (const auto& [id, rec] : T::Map(in)) {
      rb.MarkDirty(rb.SlotOf(T::kKind, id));
    }
  });
}

void NoteRecordChange(ShopStateInternals& in, const v1::Event& e) {
  const auto [kind, id] = SubjectRecord(e);
  if (id == nullptr) return;
  RecordBook& rb = in.records;
  if (!rb.paged()) {
    if (PagedRecordCount(in) > kRecordsInHead) SlotAllRecords(in);
    return;
  }
  if (HasRecord(in, kind, *id)) rb.MarkDirty(rb.SlotOf(kind, *id));
  // Every record has its slot (only the events above add records); the
  // check is O(1) and would repair a missed one rather than lose it.
  assert(rb.slots.size() == PagedRecordCount(in));
  if (rb.slots.size() != PagedRecordCount(in)) SlotAllRecords(in);
}

}  // namespace depositd::watchers
