// Private to watchers/: the five record kinds that grow with a shop's
// history (payments, deductions, refunds, fees, disputes) and are paged
// once a shop holds more than kRecordsInHead of them. This header is the
// one place that says which event names which record (SubjectRecord) and
// which map, page list and snapshot list a kind is (RecordTraits,
// VisitRecordKind); everything that walks the kinds goes through it.
#ifndef DEPOSITD_WATCHERS_SHOP_RECORDS_H_
#define DEPOSITD_WATCHERS_SHOP_RECORDS_H_

#include <cstddef>
#include <string>
#include <utility>

#include "depositd/store/v1/shop_snapshot.pb.h"
#include "depositd/v1/events.pb.h"
#include "watchers/record_book.h"
#include "watchers/shop_state_internals.h"

namespace depositd::watchers {

// What a record kind is: its RecordKind, its map in ShopStateInternals,
// and its list in a store.v1.RecordPage or store.v1.ShopSnapshot (Of: read,
// Mutable: write). Specialized below for the five kinds.
template <typename Record>
struct RecordTraits;

#define DEPOSITD_RECORD_TRAITS(Record, kind, field)                           \
  template <>                                                                 \
  struct RecordTraits<store::v1::Record> {                                    \
    using Type = store::v1::Record;                                           \
    static constexpr RecordKind kKind = kind;                                 \
    static auto& Map(ShopStateInternals& in) { return in.field; }             \
    static const auto& Map(const ShopStateInternals& in) { return in.field; } \
    template <typename Msg>                                                   \
    static auto* Mutable(Msg& msg) {                                          \
      return msg.mutable_##field();                                           \
    }                                                                         \
    template <typename Msg>                                                   \
    static const auto& Of(const Msg& msg) {                                   \
      return msg.field();                                                     \
    }                                                                         \
  }
DEPOSITD_RECORD_TRAITS(PaymentRecord, kPaymentKind, payments);
DEPOSITD_RECORD_TRAITS(DeductionRecord, kDeductionKind, deductions);
DEPOSITD_RECORD_TRAITS(RefundRecord, kRefundKind, refunds);
DEPOSITD_RECORD_TRAITS(FeeRecord, kFeeKind, fees);
DEPOSITD_RECORD_TRAITS(DisputeRecord, kDisputeKind, disputes);
#undef DEPOSITD_RECORD_TRAITS

// Calls fn(RecordTraits<R>()) for the record type R of `kind`; nothing for
// a value that is not a RecordKind. The one switch over record kinds.
template <typename Fn>
void VisitRecordKind(RecordKind kind, Fn&& fn) {
  switch (kind) {
    case kPaymentKind:
      fn(RecordTraits<store::v1::PaymentRecord>());
      return;
    case kDeductionKind:
      fn(RecordTraits<store::v1::DeductionRecord>());
      return;
    case kRefundKind:
      fn(RecordTraits<store::v1::RefundRecord>());
      return;
    case kFeeKind:
      fn(RecordTraits<store::v1::FeeRecord>());
      return;
    case kDisputeKind:
      fn(RecordTraits<store::v1::DisputeRecord>());
      return;
  }
}

// Calls fn(RecordTraits<R>()) for every kind, in RecordKind order.
template <typename Fn>
void ForEachRecordKind(Fn&& fn) {
  for (int kind = kPaymentKind; kind <= kDisputeKind; ++kind) {
    VisitRecordKind(static_cast<RecordKind>(kind), fn);
  }
}

// The record of the five paged maps that `e` can change, if any (id null
// when none): every change to them is made by an event of its own record
// (ApplyPayment, ApplyDeduction, ApplyAppealFiled/Decided, ApplyRefund,
// ApplyDispute, ApplyFee), named by the event's id field. The id points
// into `e`.
std::pair<RecordKind, const std::string*> SubjectRecord(const v1::Event& e);

// How many records of the five kinds the shop holds.
size_t PagedRecordCount(const ShopStateInternals& in);

// Gives every record without a slot one (kind by kind, in id order) and
// marks every record page dirty.
void SlotAllRecords(ShopStateInternals& in);

// After `e` was applied: marks the page of the record it changed dirty
// (giving a new record its slot), and moves the records out of the head
// once there are more than kRecordsInHead of them.
void NoteRecordChange(ShopStateInternals& in, const v1::Event& e);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_SHOP_RECORDS_H_
