// Private to watchers/: the representation behind ShopState. Not a stable
// interface: the projection and the risk watchers read a shop through
// narrow views (ProjectionFacts, RiskView), never through this.
//
// Orders live in OrderBook (watchers/order_book.h: fixed-size records, an
// id arena, ordered indexes for R1 and R2). Everything else in a shop is
// small (disputes, fees, ledger lines) and is held as store-format records
// (depositd/store/v1/shop_snapshot.proto) in ordered maps keyed by id, so
// iteration (and thus every report) is deterministic, and a snapshot is a
// plain copy. The five kinds that grow with a shop's history are paged
// (watchers/record_book.h, watchers/shop_records.h).
//
// Times in records are Unix nanoseconds, 0 meaning unset; order milestones
// are Unix seconds (event times are truncated to the second for orders).
#ifndef DEPOSITD_WATCHERS_SHOP_STATE_INTERNALS_H_
#define DEPOSITD_WATCHERS_SHOP_STATE_INTERNALS_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/timestamps.h"
#include "depositd/store/v1/shop_snapshot.pb.h"
#include "depositd/v1/common.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "watchers/derived_facts_data.h"
#include "watchers/order_book.h"
#include "watchers/record_book.h"

namespace depositd::watchers {

// Lifecycle fact types, kept as an ordered set of (time, type).
enum LifecycleType : int32_t {
  kClosureRequested = 1,
  kClosed = 2,
  kReopened = 3,
};

// Everything a ShopState knows about one shop. Not copyable (OrderBook);
// ShopState holds it by pointer. Not thread-safe; owned by one shard.
struct ShopStateInternals {
  std::string tenant;
  std::string shop_id;
  int64_t events_applied = 0;

  // Registration, last writer wins by event time (tie: larger profile name).
  std::string profile;
  std::string site;
  std::string legal_entity_id;
  int64_t entity_last_closed_at = 0;
  int64_t registered_at = 0;

  absl::btree_set<std::pair<int64_t, int32_t>> lifecycle;
  // The event_id of each lifecycle fact (the smallest, so it commutes);
  // facts from old snapshots may have none.
  absl::btree_map<std::pair<int64_t, int32_t>, std::string> lifecycle_event_ids;
  int64_t last_sale_at = 0;

  OrderBook orders;
  absl::btree_map<std::string, store::v1::PaymentRecord> payments;
  absl::btree_map<std::string, store::v1::DeductionRecord> deductions;
  absl::btree_map<std::string, store::v1::RefundRecord> refunds;
  absl::btree_map<std::string, store::v1::FeeRecord> fees;
  absl::btree_map<std::string, store::v1::DisputeRecord> disputes;
  absl::btree_map<std::string, store::v1::ViolationRecord> violations;
  // Keyed by DepositKind.
  absl::btree_map<int32_t, store::v1::RequirementRecord> requirements;
  absl::btree_map<std::string, store::v1::MoneyLine> clawbacks_paid;
  RecordBook records;

  std::string refund_channel;
  std::string refund_account;
  std::string refund_currency;
  int64_t refund_account_set_at = 0;

  int64_t frozen_at = 0;
  int64_t unfrozen_at = 0;
  std::string freeze_violation_id;
  std::string freeze_reason;

  // Metric name -> (value, event time); last writer wins.
  absl::btree_map<std::string, std::pair<double, int64_t>> metrics;

  int32_t feed_state = 0;
  int64_t feed_expires_at = 0;
  int64_t feed_state_at = 0;

  // Derived from everything above; see DerivedFacts.
  DerivedFacts derived;
};

// A Timestamp as Unix nanoseconds (the unit of record times).
inline int64_t TsNanos(const google::protobuf::Timestamp& ts) {
  return absl::ToUnixNanos(common::FromTimestamp(ts));
}

// Unix nanoseconds as a Timestamp: exact for every int64, INT64_MIN (an
// as_of before 1678, saturated by absl::ToUnixNanos) included.
inline void SetTs(int64_t ns, google::protobuf::Timestamp* ts) {
  common::ToTimestamp(absl::FromUnixNanos(ns), ts);
}

inline void SetTime(absl::Time t, google::protobuf::Timestamp* ts) {
  SetTs(TimeToNanos(t), ts);
}

// A DepositKind's name, or its number when it has none.
inline std::string DepositKindName(int kind) {
  return v1::DepositKind_IsValid(kind)
             ? v1::DepositKind_Name(static_cast<v1::DepositKind>(kind))
             : absl::StrCat(kind);
}

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_SHOP_STATE_INTERNALS_H_
