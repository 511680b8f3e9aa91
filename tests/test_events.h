// Event builders and small RPC helpers shared by the integration and crash
// tests. Builders fill the envelope (event id, tenant, shop, time) and one
// body; they do not validate (tests send invalid events on purpose).
#ifndef DEPOSITD_TESTS_TEST_EVENTS_H_
#define DEPOSITD_TESTS_TEST_EVENTS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/channel.h"

namespace depositd::integration {

google::protobuf::Timestamp Ts(absl::string_view rfc3339);
v1::Money Money(int64_t minor_units, absl::string_view currency);

// Builds events for one shop. Not thread-safe.
class ShopEvents {
 public:
  ShopEvents(std::string tenant, std::string shop_id)
      : tenant_(std::move(tenant)), shop_id_(std::move(shop_id)) {}

  // The envelope alone (no body).
  v1::Event Envelope(absl::string_view event_id, absl::string_view at) const;

  v1::Event Registered(absl::string_view id, absl::string_view at,
                       absl::string_view profile, absl::string_view site) const;
  v1::Event DepositPaid(absl::string_view id, absl::string_view at,
                        absl::string_view payment_id, int64_t minor_units,
                        absl::string_view currency, absl::string_view channel,
                        absl::string_view account) const;
  v1::Event RefundAccountSet(absl::string_view id, absl::string_view at,
                             absl::string_view channel,
                             absl::string_view account,
                             absl::string_view currency) const;
  v1::Event Order(absl::string_view id, absl::string_view at,
                  absl::string_view order_id, v1::OrderStatus status) const;
  v1::Event DisputeOpened(absl::string_view id, absl::string_view at,
                          absl::string_view dispute_id,
                          v1::DisputeKind kind) const;
  v1::Event DisputeResolved(absl::string_view id, absl::string_view at,
                            absl::string_view dispute_id) const;
  v1::Event FeeCharged(absl::string_view id, absl::string_view at,
                       absl::string_view fee_id, v1::FeeCategory category,
                       int64_t minor_units, absl::string_view currency) const;
  v1::Event FeePaid(absl::string_view id, absl::string_view at,
                    absl::string_view fee_id, int64_t minor_units,
                    absl::string_view currency) const;
  v1::Event ClosureRequested(absl::string_view id, absl::string_view at) const;
  v1::Event Closed(absl::string_view id, absl::string_view at) const;

  // The tour of domain.md §7 example 2 in 9 events (ids "<prefix>1" …):
  // TikTok Shop cross-border US, USD 500.00 by PayPal with a matching refund
  // account, one completed order, an open A-to-Z claim "atoz-1", an unpaid
  // USD 35.00 ads settlement "ads-1", closed 2026-03-02.
  std::vector<v1::Event> ClosedNotReadyTour(absl::string_view prefix) const;

  const std::string& tenant() const { return tenant_; }
  const std::string& shop_id() const { return shop_id_; }

 private:
  std::string tenant_;
  std::string shop_id_;
};

v1::EventBatch Batch(uint64_t seq, const std::vector<v1::Event>& events);

// One Publish call with a 30 s deadline.
absl::StatusOr<v1::IngestAck> Publish(
    const std::shared_ptr<grpc::Channel>& channel,
    const std::vector<v1::Event>& events, uint64_t batch_seq = 1);

// GetShop with a 10 s deadline; as_of empty means "now".
absl::StatusOr<v1::ReadinessReport> GetShop(
    const std::shared_ptr<grpc::Channel>& channel, absl::string_view tenant,
    absl::string_view shop_id, absl::string_view as_of = "");

absl::StatusOr<v1::StatsResponse> GetStats(
    const std::shared_ptr<grpc::Channel>& channel);

// The blocker for `condition`, or nullptr.
const v1::Blocker* FindBlocker(const v1::ReadinessReport& report,
                               v1::Condition condition);

// "R3_OPEN_DISPUTES,R4_UNPAID_FEES" for messages.
std::string BlockerNames(const v1::ReadinessReport& report);

}  // namespace depositd::integration

#endif  // DEPOSITD_TESTS_TEST_EVENTS_H_
