#include "tests/test_events.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/format.h"

namespace depositd::integration {
namespace {

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

void Deadline(grpc::ClientContext* context, absl::Duration d) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + d));
}

}  // namespace

google::protobuf::Timestamp Ts(absl::string_view rfc3339) {
  absl::StatusOr<google::protobuf::Timestamp> t =
      tools::ParseTimestampArg(rfc3339);
  return t.ok() ? *t : google::protobuf::Timestamp();
}

v1::Money Money(int64_t minor_units, absl::string_view currency) {
  v1::Money m;
  m.set_minor_units(minor_units);
  m.set_currency(std::string(currency));
  return m;
}

v1::Event ShopEvents::Envelope(absl::string_view event_id,
                               absl::string_view at) const {
  v1::Event e;
  e.set_event_id(std::string(event_id));
  e.set_tenant(tenant_);
  e.set_shop_id(shop_id_);
  *e.mutable_occurred_at() = Ts(at);
  e.set_source("depositd-tests");
  return e;
}

v1::Event ShopEvents::Registered(absl::string_view id, absl::string_view at,
                                 absl::string_view profile,
                                 absl::string_view site) const {
  v1::Event e = Envelope(id, at);
  e.mutable_shop_registered()->set_profile(std::string(profile));
  e.mutable_shop_registered()->set_site(std::string(site));
  e.mutable_shop_registered()->set_legal_entity_id(tenant_ + "-entity");
  return e;
}

v1::Event ShopEvents::DepositPaid(absl::string_view id, absl::string_view at,
                                  absl::string_view payment_id,
                                  int64_t minor_units,
                                  absl::string_view currency,
                                  absl::string_view channel,
                                  absl::string_view account) const {
  v1::Event e = Envelope(id, at);
  v1::DepositPaid* d = e.mutable_deposit_paid();
  d->set_payment_id(std::string(payment_id));
  d->set_kind(v1::BASE);
  *d->mutable_amount() = Money(minor_units, currency);
  d->set_channel(std::string(channel));
  d->set_paying_account(std::string(account));
  return e;
}

v1::Event ShopEvents::RefundAccountSet(absl::string_view id,
                                       absl::string_view at,
                                       absl::string_view channel,
                                       absl::string_view account,
                                       absl::string_view currency) const {
  v1::Event e = Envelope(id, at);
  e.mutable_refund_account_set()->set_channel(std::string(channel));
  e.mutable_refund_account_set()->set_account(std::string(account));
  e.mutable_refund_account_set()->set_currency(std::string(currency));
  return e;
}

v1::Event ShopEvents::Order(absl::string_view id, absl::string_view at,
                            absl::string_view order_id,
                            v1::OrderStatus status) const {
  v1::Event e = Envelope(id, at);
  e.mutable_order_status_changed()->set_order_id(std::string(order_id));
  e.mutable_order_status_changed()->set_status(status);
  return e;
}

v1::Event ShopEvents::DisputeOpened(absl::string_view id, absl::string_view at,
                                    absl::string_view dispute_id,
                                    v1::DisputeKind kind) const {
  v1::Event e = Envelope(id, at);
  e.mutable_dispute_opened()->set_dispute_id(std::string(dispute_id));
  e.mutable_dispute_opened()->set_kind(kind);
  return e;
}

v1::Event ShopEvents::DisputeResolved(absl::string_view id,
                                      absl::string_view at,
                                      absl::string_view dispute_id) const {
  v1::Event e = Envelope(id, at);
  e.mutable_dispute_resolved()->set_dispute_id(std::string(dispute_id));
  e.mutable_dispute_resolved()->set_outcome(v1::SELLER_WON);
  return e;
}

v1::Event ShopEvents::FeeCharged(absl::string_view id, absl::string_view at,
                                 absl::string_view fee_id,
                                 v1::FeeCategory category, int64_t minor_units,
                                 absl::string_view currency) const {
  v1::Event e = Envelope(id, at);
  e.mutable_fee_charged()->set_fee_id(std::string(fee_id));
  e.mutable_fee_charged()->set_category(category);
  *e.mutable_fee_charged()->mutable_amount() = Money(minor_units, currency);
  return e;
}

v1::Event ShopEvents::FeePaid(absl::string_view id, absl::string_view at,
                              absl::string_view fee_id, int64_t minor_units,
                              absl::string_view currency) const {
  v1::Event e = Envelope(id, at);
  e.mutable_fee_paid()->set_fee_id(std::string(fee_id));
  *e.mutable_fee_paid()->mutable_amount() = Money(minor_units, currency);
  return e;
}

v1::Event ShopEvents::ClosureRequested(absl::string_view id,
                                       absl::string_view at) const {
  v1::Event e = Envelope(id, at);
  e.mutable_closure_requested();
  return e;
}

v1::Event ShopEvents::Closed(absl::string_view id, absl::string_view at) const {
  v1::Event e = Envelope(id, at);
  e.mutable_shop_closed();
  return e;
}

std::vector<v1::Event> ShopEvents::ClosedNotReadyTour(
    absl::string_view prefix) const {
  auto id = [&](int n) { return absl::StrCat(prefix, n); };
  const std::string account = "paypal:finance@" + tenant_ + ".example";
  return {
      Registered(id(1), "2026-01-05T02:00:00Z", "tiktok_shop_cross_border",
                 "US"),
      DepositPaid(id(2), "2026-01-05T03:00:00Z", "dep-1", 50000, "USD",
                  "paypal", account),
      RefundAccountSet(id(3), "2026-01-06T03:00:00Z", "paypal", account, "USD"),
      Order(id(4), "2026-01-10T08:00:00Z", "o-1", v1::PLACED),
      Order(id(5), "2026-01-20T08:00:00Z", "o-1", v1::COMPLETED),
      DisputeOpened(id(6), "2026-02-22T09:00:00Z", "atoz-1", v1::A_TO_Z),
      FeeCharged(id(7), "2026-02-28T00:00:00Z", "ads-1", v1::ADS_SETTLEMENT,
                 3500, "USD"),
      ClosureRequested(id(8), "2026-03-01T02:00:00Z"),
      Closed(id(9), "2026-03-02T02:00:00Z"),
  };
}

v1::EventBatch Batch(uint64_t seq, const std::vector<v1::Event>& events) {
  v1::EventBatch batch;
  batch.set_batch_seq(seq);
  for (const v1::Event& e : events) *batch.add_events() = e;
  return batch;
}

absl::StatusOr<v1::IngestAck> Publish(
    const std::shared_ptr<grpc::Channel>& channel,
    const std::vector<v1::Event>& events, uint64_t batch_seq) {
  auto stub = v1::EventIngest::NewStub(channel);
  grpc::ClientContext context;
  Deadline(&context, absl::Seconds(30));
  v1::IngestAck ack;
  grpc::Status s = stub->Publish(&context, Batch(batch_seq, events), &ack);
  if (!s.ok()) return FromGrpc(s);
  return ack;
}

absl::StatusOr<v1::ReadinessReport> GetShop(
    const std::shared_ptr<grpc::Channel>& channel, absl::string_view tenant,
    absl::string_view shop_id, absl::string_view as_of) {
  auto stub = v1::Readiness::NewStub(channel);
  grpc::ClientContext context;
  Deadline(&context, absl::Seconds(10));
  v1::GetShopRequest request;
  request.set_tenant(std::string(tenant));
  request.set_shop_id(std::string(shop_id));
  if (!as_of.empty()) *request.mutable_as_of() = Ts(as_of);
  v1::ReadinessReport report;
  grpc::Status s = stub->GetShop(&context, request, &report);
  if (!s.ok()) return FromGrpc(s);
  return report;
}

absl::StatusOr<v1::StatsResponse> GetStats(
    const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::Admin::NewStub(channel);
  grpc::ClientContext context;
  Deadline(&context, absl::Seconds(10));
  v1::StatsResponse stats;
  grpc::Status s = stub->GetStats(&context, v1::GetStatsRequest(), &stats);
  if (!s.ok()) return FromGrpc(s);
  return stats;
}

const v1::Blocker* FindBlocker(const v1::ReadinessReport& report,
                               v1::Condition condition) {
  for (const v1::Blocker& b : report.blockers()) {
    if (b.condition() == condition) return &b;
  }
  return nullptr;
}

std::string BlockerNames(const v1::ReadinessReport& report) {
  std::vector<std::string> names;
  for (const v1::Blocker& b : report.blockers()) {
    names.push_back(tools::ConditionName(b.condition()));
  }
  return absl::StrJoin(names, ",");
}

}  // namespace depositd::integration
