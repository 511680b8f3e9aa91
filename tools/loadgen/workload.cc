#include "tools/loadgen/workload.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/timestamps.h"

namespace depositd::loadgen {
namespace {

// splitmix64: a fixed hash of an index, for per-shop and per-order choices
// that must not depend on the draw order.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void SetMoney(int64_t minor, const char* currency, v1::Money* m) {
  m->set_minor_units(minor);
  m->set_currency(currency);
}

// Order ids look like platform ids: 19 characters, e.g. "s1-0000000000000042".
void OrderId(absl::string_view prefix, uint32_t n, std::string* out) {
  out->clear();
  absl::StrAppend(out, prefix, "-",
                  absl::Dec(n, absl::PadSpec(absl::kZeroPad16)));
}

int64_t OrderAmount(int64_t shop, uint32_t n) {
  return 500 + static_cast<int64_t>(Mix((shop << 32) ^ n) % 20000);
}

absl::Status CheckPrefix(absl::string_view prefix) {
  if (prefix.empty() || prefix.size() > 16) {
    return absl::InvalidArgumentError("the id prefix must be 1-16 characters");
  }
  for (char c : prefix) {
    if (c <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "the id prefix must be printable, without spaces");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPartition(int partition, int partitions, int64_t shops) {
  if (shops < 1) return absl::InvalidArgumentError("shops must be >= 1");
  if (partitions < 1 || partition < 0 || partition >= partitions) {
    return absl::InvalidArgumentError(absl::StrCat(
        "partition ", partition, " of ", partitions, " is not valid"));
  }
  if (partition >= shops) {
    return absl::InvalidArgumentError(
        absl::StrCat("partition ", partition, " has no shops: use at most ",
                     shops, " partitions (streams) for ", shops, " shops"));
  }
  return absl::OkStatus();
}

double ZipfWeight(int64_t index, double s) {
  return s == 0 ? 1.0 : 1.0 / std::pow(static_cast<double>(index + 1), s);
}

enum OrderStage : uint8_t {
  kPlaced = 1,
  kPaid,
  kShipped,
  kInTransit,
  kDelivered,
  kReceived,
};

enum DisputeStage : uint8_t {
  kNoDispute = 0,
  kNotReceivedOpened,
  kNotReceivedResponded,
  kReturnOpened,
};

constexpr v1::FeeCategory kFeeCategories[] = {
    v1::TECHNICAL_SERVICE, v1::ADS_SETTLEMENT, v1::LOGISTICS_ADVANCE, v1::FINE,
    v1::OTHER_FEE};

}  // namespace

const std::vector<Platform>& Platforms() {
  static const std::vector<Platform>* platforms = new std::vector<Platform>{
      {"tiktok_shop", "tiktok_shop_cross_border", "US", "USD", 50000,
       v1::NOT_RECEIVED, v1::RETURN, 30},
      {"douyin", "douyin", "CN", "CNY", 2000000, v1::NOT_RECEIVED,
       v1::REFUND_REQUEST, 10},
      {"shopee", "shopee", "SEA", "SGD", 50000, v1::NOT_RECEIVED, v1::RETURN,
       25},
      {"amazon", "generic", "US", "USD", 100000, v1::A_TO_Z, v1::RETURN, 20},
      {"temu", "temu", "US", "USD", 200000, v1::NOT_RECEIVED,
       v1::REFUND_REQUEST, 15},
  };
  return *platforms;
}

std::string ShopId(int64_t index) { return absl::StrCat("shop-", index); }

const Platform& PlatformOfShop(int64_t index) {
  const int pick = static_cast<int>(Mix(static_cast<uint64_t>(index)) % 100);
  int acc = 0;
  for (const Platform& p : Platforms()) {
    acc += p.share_percent;
    if (pick < acc) return p;
  }
  return Platforms().back();
}

MixCounts::MixCounts() : by_body(v1::Event::kFeedAuthorizationChanged + 1, 0) {}

void MixCounts::Add(const v1::Event& e) {
  const size_t c = static_cast<size_t>(e.body_case());
  if (c >= by_body.size()) by_body.resize(c + 1, 0);
  ++by_body[c];
  ++total;
}

// --- WorkloadGenerator -------------------------------------------------------

struct WorkloadGenerator::Order {
  uint32_t n;
  uint8_t stage;
  uint8_t dispute;
};

struct WorkloadGenerator::Deduction {
  uint32_t n;
  uint8_t stage;  // 0 deducted, 1 appealed, 2 appeal lost (top up next)
  int64_t amount;
};

struct WorkloadGenerator::ShopGen {
  int64_t index = -1;
  std::string id;
  const Platform* platform = nullptr;
  uint8_t boot = 0;  // 0 register, 1 deposit, 2 refund account, 3 running
  uint32_t next_order = 0;
  uint32_t next_fee = 0;
  uint32_t next_deduction = 0;
  std::vector<Order> open;
  std::vector<std::pair<uint32_t, int64_t>> unpaid_fees;
  std::vector<Deduction> deductions;
};

WorkloadGenerator::WorkloadGenerator(const WorkloadOptions& options)
    : options_(options),
      rng_(Mix(options.seed) ^ Mix(0x5eed0000ULL + options.partition)) {}

WorkloadGenerator::~WorkloadGenerator() = default;

absl::StatusOr<std::unique_ptr<WorkloadGenerator>> WorkloadGenerator::Create(
    const WorkloadOptions& options) {
  absl::Status s =
      CheckPartition(options.partition, options.partitions, options.shops);
  if (!s.ok()) return s;
  s = CheckPrefix(options.id_prefix);
  if (!s.ok()) return s;
  if (!(options.zipf_exponent >= 0)) {
    return absl::InvalidArgumentError("the Zipf exponent must be >= 0");
  }
  if (options.max_open_orders_per_shop < 1) {
    return absl::InvalidArgumentError("max open orders per shop must be >= 1");
  }
  if (options.tenant.empty()) {
    return absl::InvalidArgumentError("the tenant must not be empty");
  }
  std::unique_ptr<WorkloadGenerator> g(new WorkloadGenerator(options));
  double total = 0;
  for (int64_t i = options.partition; i < options.shops;
       i += options.partitions) {
    g->shop_index_.push_back(i);
    total += ZipfWeight(i, options.zipf_exponent);
    g->cumulative_.push_back(total);
  }
  g->shops_.resize(g->shop_index_.size());
  return g;
}

double WorkloadGenerator::Uniform() {
  return static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0);
}

void WorkloadGenerator::Envelope(const ShopGen& shop, absl::Time now,
                                 v1::Event* event) {
  event->Clear();
  std::string* id = event->mutable_event_id();
  absl::StrAppend(id, options_.id_prefix, "-", options_.partition, "-",
                  events_);
  event->set_tenant(options_.tenant);
  event->set_shop_id(shop.id);
  common::ToTimestamp(now, event->mutable_occurred_at());
  event->set_source(shop.platform->name);
}

void WorkloadGenerator::Next(absl::Time now, v1::Event* event) {
  const double u = Uniform() * cumulative_.back();
  size_t slot = static_cast<size_t>(
      std::upper_bound(cumulative_.begin(), cumulative_.end(), u) -
      cumulative_.begin());
  slot = std::min(slot, cumulative_.size() - 1);
  ShopGen& shop = shops_[slot];
  if (shop.index < 0) {
    shop.index = shop_index_[slot];
    shop.id = ShopId(shop.index);
    shop.platform = &PlatformOfShop(shop.index);
  }
  Envelope(shop, now, event);
  if (shop.boot < 3) {
    BootStep(shop, now, event);
  } else {
    const double r = Uniform();
    if (r < 0.02) {
      FeeStep(shop, now, event);
    } else if (r < 0.025) {
      DeductionStep(shop, now, event);
    } else if (r < 0.04) {
      MetricsStep(shop, now, event);
    } else {
      OrderStep(shop, now, event);
    }
  }
  ++events_;
}

void WorkloadGenerator::BootStep(ShopGen& shop, absl::Time now,
                                 v1::Event* event) {
  (void)now;
  const Platform& p = *shop.platform;
  const std::string account = absl::StrCat("acct-", shop.index);
  switch (shop.boot) {
    case 0: {
      auto* b = event->mutable_shop_registered();
      b->set_profile(p.profile);
      b->set_site(p.site);
      b->set_legal_entity_id(absl::StrCat("le-", shop.index));
      break;
    }
    case 1: {
      auto* b = event->mutable_deposit_paid();
      b->set_payment_id(absl::StrCat(options_.id_prefix, "-dep"));
      b->set_kind(v1::BASE);
      SetMoney(p.deposit_minor, p.currency, b->mutable_amount());
      b->set_channel("bank_transfer");
      b->set_paying_account(account);
      break;
    }
    default: {
      auto* b = event->mutable_refund_account_set();
      b->set_channel("bank_transfer");
      b->set_account(account);
      b->set_currency(p.currency);
      break;
    }
  }
  ++shop.boot;
}

void WorkloadGenerator::OrderStep(ShopGen& shop, absl::Time now,
                                  v1::Event* event) {
  const Platform& p = *shop.platform;
  const bool room =
      shop.open.size() < static_cast<size_t>(options_.max_open_orders_per_shop);
  if (shop.open.empty() || (room && Uniform() < 0.25)) {
    const uint32_t n = shop.next_order++;
    shop.open.push_back({n, kPlaced, kNoDispute});
    auto* b = event->mutable_order_status_changed();
    OrderId(options_.id_prefix, n, b->mutable_order_id());
    b->set_status(v1::PLACED);
    b->set_platform_status("AWAITING_PAYMENT");
    SetMoney(OrderAmount(shop.index, n), p.currency, b->mutable_amount());
    return;
  }
  const size_t i = static_cast<size_t>(rng_() % shop.open.size());
  Order& o = shop.open[i];
  bool done = false;
  std::string order_id;
  OrderId(options_.id_prefix, o.n, &order_id);
  auto status = [&](v1::OrderStatus s, const char* platform_status) {
    auto* b = event->mutable_order_status_changed();
    b->set_order_id(order_id);
    b->set_status(s);
    b->set_platform_status(platform_status);
  };
  const double u = Uniform();
  switch (o.dispute) {
    case kNotReceivedOpened:
      event->mutable_dispute_responded()->set_dispute_id(
          absl::StrCat("dn", order_id));
      o.dispute = kNotReceivedResponded;
      break;
    case kNotReceivedResponded: {
      auto* b = event->mutable_dispute_resolved();
      b->set_dispute_id(absl::StrCat("dn", order_id));
      b->set_outcome(v1::SELLER_WON);
      o.dispute = kNoDispute;
      break;
    }
    case kReturnOpened: {
      auto* b = event->mutable_dispute_resolved();
      b->set_dispute_id(absl::StrCat("dr", order_id));
      b->set_outcome(v1::BUYER_WON);
      SetMoney(OrderAmount(shop.index, o.n), p.currency, b->mutable_amount());
      done = true;
      break;
    }
    default:
      switch (o.stage) {
        case kPlaced:
          if (u < 0.05) {
            status(v1::CANCELLED, "CANCELLED");
            done = true;
          } else {
            event->mutable_sale_recorded()->set_order_id(order_id);
            o.stage = kPaid;
          }
          break;
        case kPaid:
          if (u < 0.02) {
            status(v1::CANCELLED, "CANCELLED");
            done = true;
          } else {
            status(v1::SHIPPED, "AWAITING_COLLECTION");
            o.stage = kShipped;
          }
          break;
        case kShipped:
          if (u < 0.02) {
            auto* b = event->mutable_dispute_opened();
            b->set_dispute_id(absl::StrCat("dn", order_id));
            b->set_kind(p.not_received_kind);
            b->set_order_id(order_id);
            SetMoney(OrderAmount(shop.index, o.n), p.currency,
                     b->mutable_amount());
            o.dispute = kNotReceivedOpened;
          } else {
            status(v1::IN_TRANSIT, "IN_TRANSIT");
            o.stage = kInTransit;
          }
          break;
        case kInTransit:
          status(v1::DELIVERED, "DELIVERED");
          o.stage = kDelivered;
          break;
        case kDelivered:
          if (u < 0.06) {
            auto* b = event->mutable_dispute_opened();
            b->set_dispute_id(absl::StrCat("dr", order_id));
            b->set_kind(p.return_kind);
            b->set_order_id(order_id);
            common::ToTimestamp(now + absl::Hours(48),
                                b->mutable_response_due_at());
            SetMoney(OrderAmount(shop.index, o.n), p.currency,
                     b->mutable_amount());
            o.dispute = kReturnOpened;
          } else if (u < 0.36) {
            status(v1::RECEIPT_CONFIRMED, "TO_CONFIRM_RECEIVE");
            o.stage = kReceived;
          } else {
            status(v1::COMPLETED, "COMPLETED");
            done = true;
          }
          break;
        default:  // kReceived
          status(v1::COMPLETED, "COMPLETED");
          done = true;
          break;
      }
  }
  if (done) {
    shop.open[i] = shop.open.back();
    shop.open.pop_back();
  }
}

void WorkloadGenerator::FeeStep(ShopGen& shop, absl::Time now,
                                v1::Event* event) {
  const Platform& p = *shop.platform;
  if (!shop.unpaid_fees.empty() &&
      (shop.unpaid_fees.size() >= 50 || Uniform() < 0.5)) {
    const auto [n, amount] = shop.unpaid_fees.front();
    shop.unpaid_fees.erase(shop.unpaid_fees.begin());
    auto* b = event->mutable_fee_paid();
    b->set_fee_id(absl::StrCat(options_.id_prefix, "-f", n));
    SetMoney(amount, p.currency, b->mutable_amount());
    return;
  }
  const uint32_t n = shop.next_fee++;
  const int64_t amount = 100 + static_cast<int64_t>(rng_() % 4900);
  shop.unpaid_fees.emplace_back(n, amount);
  auto* b = event->mutable_fee_charged();
  b->set_fee_id(absl::StrCat(options_.id_prefix, "-f", n));
  b->set_category(kFeeCategories[n % 5]);
  SetMoney(amount, p.currency, b->mutable_amount());
  common::ToTimestamp(now + absl::Hours(72), b->mutable_due_at());
}

void WorkloadGenerator::DeductionStep(ShopGen& shop, absl::Time now,
                                      v1::Event* event) {
  const Platform& p = *shop.platform;
  if (shop.deductions.empty() ||
      (shop.deductions.size() < 5 && Uniform() < 0.3)) {
    const uint32_t n = shop.next_deduction++;
    const int64_t amount = std::max<int64_t>(1, p.deposit_minor / 50);
    shop.deductions.push_back({n, 0, amount});
    auto* b = event->mutable_deposit_deducted();
    b->set_deduction_id(absl::StrCat(options_.id_prefix, "-x", n));
    b->set_kind(v1::BASE);
    SetMoney(amount, p.currency, b->mutable_amount());
    b->set_reason("late shipment rate above the platform limit");
    common::ToTimestamp(now + absl::Hours(24 * 10),
                        b->mutable_appeal_deadline());
    return;
  }
  Deduction& d = shop.deductions.front();
  const std::string id = absl::StrCat(options_.id_prefix, "-x", d.n);
  bool done = false;
  auto top_up = [&] {
    auto* b = event->mutable_deposit_topped_up();
    b->set_payment_id(absl::StrCat(options_.id_prefix, "-t", d.n));
    b->set_kind(v1::BASE);
    SetMoney(d.amount, p.currency, b->mutable_amount());
    b->set_channel("bank_transfer");
    b->set_paying_account(absl::StrCat("acct-", shop.index));
    done = true;
  };
  switch (d.stage) {
    case 0:
      if (Uniform() < 0.5) {
        event->mutable_appeal_filed()->set_deduction_id(id);
        d.stage = 1;
      } else {
        top_up();
      }
      break;
    case 1: {
      auto* b = event->mutable_appeal_decided();
      b->set_deduction_id(id);
      if (Uniform() < 0.4) {
        b->set_reversed(true);
        SetMoney(d.amount, p.currency, b->mutable_amount_returned());
        done = true;
      } else {
        b->set_reversed(false);
        d.stage = 2;
      }
      break;
    }
    default:
      top_up();
      break;
  }
  if (done) shop.deductions.erase(shop.deductions.begin());
}

void WorkloadGenerator::MetricsStep(ShopGen& shop, absl::Time now,
                                    v1::Event* event) {
  (void)shop;
  (void)now;
  auto* b = event->mutable_metrics_reported();
  b->set_fulfilment_rate_pct(99.0 + static_cast<double>(rng_() % 10) / 10);
  b->set_return_rate_pct(1.0 + static_cast<double>(rng_() % 40) / 10);
  b->set_dsr(4.75 + static_cast<double>(rng_() % 20) / 100);
}

// --- PopulationGenerator -----------------------------------------------------

PopulationGenerator::PopulationGenerator(const PopulationOptions& options)
    : options_(options) {}

absl::StatusOr<std::unique_ptr<PopulationGenerator>>
PopulationGenerator::Create(const PopulationOptions& options) {
  absl::Status s =
      CheckPartition(options.partition, options.partitions, options.shops);
  if (!s.ok()) return s;
  s = CheckPrefix(options.id_prefix);
  if (!s.ok()) return s;
  if (options.open_orders < options.shops) {
    return absl::InvalidArgumentError(
        "open orders must be at least the number of shops (one each)");
  }
  if (!(options.zipf_exponent >= 0)) {
    return absl::InvalidArgumentError("the Zipf exponent must be >= 0");
  }
  std::unique_ptr<PopulationGenerator> g(new PopulationGenerator(options));
  // One order each, the rest in proportion to the Zipf weights (rounded
  // down; what rounding leaves goes to the largest shops, one each).
  const int64_t n = options.shops;
  const int64_t extra = options.open_orders - n;
  double total = 0;
  for (int64_t i = 0; i < n; ++i) total += ZipfWeight(i, options.zipf_exponent);
  g->orders_.assign(n, 1);
  int64_t given = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = static_cast<int64_t>(
        std::floor(static_cast<double>(extra) *
                   ZipfWeight(i, options.zipf_exponent) / total));
    g->orders_[i] += static_cast<int32_t>(k);
    given += k;
  }
  for (int64_t i = 0; given < extra; i = (i + 1) % n, ++given) {
    ++g->orders_[i];
  }
  for (int64_t i = options.partition; i < n; i += options.partitions) {
    const int64_t o = g->orders_[i];
    g->partition_orders_ += o;
    g->total_events_ += 3 + o + (o / 10) * 3 + std::min<int64_t>(o % 10, 3);
  }
  return g;
}

bool PopulationGenerator::Next(absl::Time now, v1::Event* event) {
  if (shop_ < 0 || step_ >= steps_) {
    shop_ = shop_ < 0 ? options_.partition : shop_ + options_.partitions;
    if (shop_ >= options_.shops) {
      shop_ = options_.shops;  // stay finished
      return false;
    }
    const int64_t o = orders_[shop_];
    step_ = 0;
    // 3 boot events, then per order PLACED and, for n % 10 < 3, SHIPPED.
    steps_ = 3 + o + (o / 10) * 3 + std::min<int64_t>(o % 10, 3);
  }
  const Platform& p = PlatformOfShop(shop_);
  event->Clear();
  absl::StrAppend(event->mutable_event_id(), options_.id_prefix, "-",
                  options_.partition, "-", seq_++);
  event->set_tenant(options_.tenant);
  event->set_shop_id(ShopId(shop_));
  common::ToTimestamp(now, event->mutable_occurred_at());
  event->set_source(p.name);
  const std::string account = absl::StrCat("acct-", shop_);
  if (step_ == 0) {
    auto* b = event->mutable_shop_registered();
    b->set_profile(p.profile);
    b->set_site(p.site);
    b->set_legal_entity_id(absl::StrCat("le-", shop_));
  } else if (step_ == 1) {
    auto* b = event->mutable_deposit_paid();
    b->set_payment_id(absl::StrCat(options_.id_prefix, "-dep"));
    b->set_kind(v1::BASE);
    SetMoney(p.deposit_minor, p.currency, b->mutable_amount());
    b->set_channel("bank_transfer");
    b->set_paying_account(account);
  } else if (step_ == 2) {
    auto* b = event->mutable_refund_account_set();
    b->set_channel("bank_transfer");
    b->set_account(account);
    b->set_currency(p.currency);
  } else {
    // Steps after the boot, per group of 10 orders: 13 events (PLACED and
    // SHIPPED for orders 0-2 of the group, PLACED for 3-9).
    const int64_t k = step_ - 3;
    const int64_t group = k / 13, in = k % 13;
    uint32_t n;
    v1::OrderStatus status;
    if (in < 6) {
      n = static_cast<uint32_t>(group * 10 + in / 2);
      status = in % 2 == 0 ? v1::PLACED : v1::SHIPPED;
    } else {
      n = static_cast<uint32_t>(group * 10 + 3 + (in - 6));
      status = v1::PLACED;
    }
    auto* b = event->mutable_order_status_changed();
    OrderId(options_.id_prefix, n, b->mutable_order_id());
    b->set_status(status);
    b->set_platform_status(status == v1::PLACED ? "AWAITING_SHIPMENT"
                                                : "AWAITING_COLLECTION");
    SetMoney(OrderAmount(shop_, n), p.currency, b->mutable_amount());
  }
  ++step_;
  return true;
}

// --- single events -----------------------------------------------------------

void MakeDisputeOpened(absl::string_view tenant, absl::string_view shop_id,
                       absl::string_view event_id, absl::string_view dispute_id,
                       absl::Time due, absl::Time now, v1::Event* event) {
  event->Clear();
  event->set_event_id(std::string(event_id));
  event->set_tenant(std::string(tenant));
  event->set_shop_id(std::string(shop_id));
  common::ToTimestamp(now, event->mutable_occurred_at());
  auto* b = event->mutable_dispute_opened();
  b->set_dispute_id(std::string(dispute_id));
  b->set_kind(v1::COMPLAINT);
  common::ToTimestamp(due, b->mutable_response_due_at());
}

void MakeDisputeDeadlineChanged(absl::string_view tenant,
                                absl::string_view shop_id,
                                absl::string_view event_id,
                                absl::string_view dispute_id, absl::Time due,
                                absl::Time now, v1::Event* event) {
  event->Clear();
  event->set_event_id(std::string(event_id));
  event->set_tenant(std::string(tenant));
  event->set_shop_id(std::string(shop_id));
  common::ToTimestamp(now, event->mutable_occurred_at());
  auto* b = event->mutable_dispute_deadline_changed();
  b->set_dispute_id(std::string(dispute_id));
  common::ToTimestamp(due, b->mutable_response_due_at());
}

}  // namespace depositd::loadgen
