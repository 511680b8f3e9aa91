// The synthetic workloads of depositd-loadgen: streams of valid depositd.v1
// events that look like what platform integrations send.
//
// WorkloadGenerator ("ingest" mix): a population of shops spread over five
// platforms (Platforms()), each shop chosen for the next event with a
// Zipf-like weight 1/(rank+1)^s, so a few shops are huge and most are small.
// A shop's first three events register it (ShopRegistered with its
// platform's profile and site), pay its deposit (DepositPaid) and set a
// matching refund account (RefundAccountSet). After that each event is, by
// probability:
//   ~96%  an order step: a new order (PLACED) or the next step of one of the
//         shop's open orders: paid (SaleRecorded), SHIPPED, IN_TRANSIT,
//         DELIVERED, RECEIPT_CONFIRMED, COMPLETED; 5% are cancelled before
//         shipping, 2% get a not-received dispute while shipping (opened,
//         responded, resolved SELLER_WON), 6% are returned after delivery
//         (a RETURN or REFUND_REQUEST dispute resolved BUYER_WON);
//   2%    a fee: FeeCharged (due in 3 days), or FeePaid for an unpaid one;
//   0.5%  a deduction cycle: DepositDeducted, then either DepositToppedUp, or
//         AppealFiled and AppealDecided (reversed or not, then topped up);
//   1.5%  MetricsReported (healthy values).
// Every event is valid alone and in its shop's context (tools/loadgen's
// workload_test applies them to watchers::ShopState). Deductions make
// BALANCE_SHORT fire until the top-up, as in real life; nothing else in the
// mix fires an alert at once (deadlines are days away).
//
// PopulationGenerator ("populate"): a fixed population for memory and
// restart measurements: every shop registered with a deposit and refund
// account, then `open_orders` orders spread over the shops (each shop at
// least one, the rest Zipf-distributed), each PLACED and 30% also SHIPPED,
// so all stay open (R1). Ends when everything was emitted.
//
// Both generators are deterministic for a given seed (the event times are
// whatever the caller passes). With `partitions` > 1 a generator draws only
// shops whose index % partitions == partition, so that several streams can
// each own a generator without sharing shops.
//
// Thread-safety: not thread-safe; one generator per thread.
#ifndef DEPOSITD_TOOLS_LOADGEN_WORKLOAD_H_
#define DEPOSITD_TOOLS_LOADGEN_WORKLOAD_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/v1/events.pb.h"

namespace depositd::loadgen {

// One platform of the mix and how its shops look.
struct Platform {
  // Short name used in `source` and reports: "tiktok_shop", "douyin",
  // "shopee", "amazon", "temu".
  const char* name;
  // depositd's built-in profile it maps to. Amazon has no built-in profile;
  // its shops use "generic" (14-day review, 90-day inactivity rule).
  const char* profile;
  const char* site;
  const char* currency;
  // Deposit paid at registration, minor units (at least the site minimum).
  int64_t deposit_minor;
  // Dispute kinds for "not received" and for returns on this platform.
  v1::DisputeKind not_received_kind;
  v1::DisputeKind return_kind;
  // Share of the shop population, percent (the five add up to 100).
  int share_percent;
};

// The five platforms, in a fixed order.
const std::vector<Platform>& Platforms();

// "shop-<index>".
std::string ShopId(int64_t index);

// The platform of shop `index` (a fixed hash of the index, weighted by
// share_percent).
const Platform& PlatformOfShop(int64_t index);

struct WorkloadOptions {
  std::string tenant = "loadgen";
  // Shops shop-0 … shop-(shops-1).
  int64_t shops = 1000;
  // Zipf exponent s of the shop weights 1/(rank+1)^s; 0 = uniform.
  double zipf_exponent = 1.1;
  uint64_t seed = 1;
  // Prefix of event, order, fee, … ids, so that runs with different
  // prefixes against one daemon never collide. 1–16 characters.
  std::string id_prefix = "s1";
  int partition = 0;
  int partitions = 1;
  // A shop opens no new order while it has this many open.
  int max_open_orders_per_shop = 10000;
};

// Counts of what a generator emitted, by Event body case.
struct MixCounts {
  std::vector<int64_t> by_body;  // indexed by v1::Event::BodyCase
  int64_t total = 0;
  MixCounts();
  void Add(const v1::Event& e);
};

class WorkloadGenerator {
 public:
  // INVALID_ARGUMENT for shops < 1, a partition without shops, a negative
  // exponent or a bad id prefix.
  static absl::StatusOr<std::unique_ptr<WorkloadGenerator>> Create(
      const WorkloadOptions& options);
  ~WorkloadGenerator();

  // Overwrites *event with the next event of the mix, occurring at `now`.
  void Next(absl::Time now, v1::Event* event);

  int64_t events() const { return events_; }
  // Shops this generator draws from (its partition).
  int64_t partition_shops() const {
    return static_cast<int64_t>(shop_index_.size());
  }

 private:
  struct Order;
  struct Deduction;
  struct ShopGen;
  explicit WorkloadGenerator(const WorkloadOptions& options);
  void Envelope(const ShopGen& shop, absl::Time now, v1::Event* event);
  void BootStep(ShopGen& shop, absl::Time now, v1::Event* event);
  void OrderStep(ShopGen& shop, absl::Time now, v1::Event* event);
  void FeeStep(ShopGen& shop, absl::Time now, v1::Event* event);
  void DeductionStep(ShopGen& shop, absl::Time now, v1::Event* event);
  void MetricsStep(ShopGen& shop, absl::Time now, v1::Event* event);
  double Uniform();

  WorkloadOptions options_;
  std::mt19937_64 rng_;
  std::vector<int64_t> shop_index_;  // partition slot -> shop index
  std::vector<double> cumulative_;   // Zipf weights, cumulative
  std::vector<ShopGen> shops_;
  int64_t events_ = 0;
};

struct PopulationOptions {
  std::string tenant = "loadgen";
  int64_t shops = 1000000;
  // Total open orders over all shops (at least `shops`).
  int64_t open_orders = 5000000;
  double zipf_exponent = 1.1;
  uint64_t seed = 1;
  std::string id_prefix = "p1";
  int partition = 0;
  int partitions = 1;
};

class PopulationGenerator {
 public:
  // INVALID_ARGUMENT for shops < 1, open_orders < shops, a bad partition or
  // id prefix.
  static absl::StatusOr<std::unique_ptr<PopulationGenerator>> Create(
      const PopulationOptions& options);

  // Overwrites *event with the next event; false (event untouched) once
  // the partition's population is complete.
  bool Next(absl::Time now, v1::Event* event);

  // Events this generator will emit in total, and orders in its partition.
  int64_t total_events() const { return total_events_; }
  int64_t partition_orders() const { return partition_orders_; }
  // Orders of shop `index` (for tests; any partition).
  int64_t OrdersOfShop(int64_t index) const { return orders_[index]; }

 private:
  explicit PopulationGenerator(const PopulationOptions& options);
  PopulationOptions options_;
  std::vector<int32_t> orders_;  // per shop index
  int64_t total_events_ = 0;
  int64_t partition_orders_ = 0;
  int64_t shop_ = -1;  // current shop index
  int64_t step_ = 0;   // event within the shop
  int64_t steps_ = 0;  // events of the current shop
  int64_t seq_ = 0;
};

// Single-event builders for the latency modes. All set the envelope
// (event_id, tenant, shop_id, occurred_at = now).
//
// A dispute with an explicit response deadline (kind COMPLAINT, which no
// profile gives a default deadline).
void MakeDisputeOpened(absl::string_view tenant, absl::string_view shop_id,
                       absl::string_view event_id, absl::string_view dispute_id,
                       absl::Time due, absl::Time now, v1::Event* event);
void MakeDisputeDeadlineChanged(absl::string_view tenant,
                                absl::string_view shop_id,
                                absl::string_view event_id,
                                absl::string_view dispute_id, absl::Time due,
                                absl::Time now, v1::Event* event);

}  // namespace depositd::loadgen

#endif  // DEPOSITD_TOOLS_LOADGEN_WORKLOAD_H_
