// Fuzz target (d): the ingest path as bytes. The input is parsed as the
// Ingest request (depositd.v1.EventBatch, binary protobuf, as it arrives in
// EventIngest.Publish / Stream) and driven through the same steps the daemon
// takes, in process and without network or store:
//   Engine::Ingest    batch size limit, watchers::ValidateEvent, the
//                     "known profile" check of ShopRegistered;
//   Shard::IngestTask dedupe by (tenant, shop, event_id), find or create the
//                     shop (Resolve the generic profile for a new one),
//                     ShopState::Apply, re-resolve the profile after a
//                     registration, then the risk watchers and alert book of
//                     every touched shop (Shard::CheckShops).
// The Engine itself needs RocksDB (its store and group commit), so this
// target uses the shard-level ShopState path; daemon/ is not linked, and
// the steps above are mirrored here (keep them in step with engine.cc and
// shard.cc). Checks: every event gets exactly one outcome; a rejected event
// changes no shop (fuzz_checks.h); a rejected or duplicate event does not
// stop the rest of the batch; every touched shop evaluates (fuzz_checks.h).
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "depositd/v1/events.pb.h"
#include "depositd/v1/service.pb.h"
#include "fuzz/fuzz_checks.h"
#include "notifier/alert_book.h"
#include "watchers/shop_state.h"

namespace {

// Same value as daemon/engine.h kMaxEventsPerBatch (not linked here).
constexpr int kMaxEventsPerBatch = 10000;
// A fixed processing time, as the engine's clock would give.
const absl::Time kNow = absl::FromUnixSeconds(1767225600 + 86400 * 90);

struct Shop {
  depositd::watchers::ShopState state;
  depositd::notifier::AlertBook book;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace depositd;
  v1::EventBatch batch;
  if (!batch.ParseFromArray(data, static_cast<int>(size))) return 0;
  const watchers::ProfileRegistry& registry = fuzz::BuiltinRegistry();

  v1::IngestAck ack;
  ack.set_batch_seq(batch.batch_seq());
  for (int i = 0; i < batch.events_size(); ++i) ack.add_results();
  if (batch.events_size() > kMaxEventsPerBatch) {
    for (auto& r : *ack.mutable_results()) r.set_outcome(v1::REJECTED);
    return 0;
  }

  std::map<std::pair<std::string, std::string>, Shop> shops;
  std::set<std::tuple<std::string, std::string, std::string>> seen_ids;
  std::set<std::pair<std::string, std::string>> touched;
  for (int i = 0; i < batch.events_size(); ++i) {
    const v1::Event& ev = batch.events(i);
    v1::EventResult* result = ack.mutable_results(i);
    absl::Status s = watchers::ValidateEvent(ev);
    if (s.ok() && ev.has_shop_registered() &&
        !ev.shop_registered().profile().empty() &&
        !registry.HasProfile(ev.shop_registered().profile())) {
      s = absl::InvalidArgumentError("unknown profile");
    }
    if (!s.ok()) {
      fuzz::Require(!s.message().empty(), "a rejection says why");
      result->set_outcome(v1::REJECTED);
      result->set_reason(std::string(s.message()));
      continue;
    }
    if (!seen_ids.insert({ev.tenant(), ev.shop_id(), ev.event_id()}).second) {
      result->set_outcome(v1::DUPLICATE);
      continue;
    }
    const std::pair<std::string, std::string> key(ev.tenant(), ev.shop_id());
    auto it = shops.find(key);
    if (it == shops.end()) {
      watchers::ShopState state(ev.tenant(), ev.shop_id());
      s = fuzz::ApplyChecked(state, ev, fuzz::ProfileFor(registry, state));
      if (s.ok()) {
        it = shops.emplace(key, Shop{std::move(state), {}}).first;
      }
    } else {
      s = fuzz::ApplyChecked(it->second.state, ev,
                             fuzz::ProfileFor(registry, it->second.state));
    }
    if (!s.ok()) {
      // The daemon forgets nothing here: the id stays usable for a fixed
      // resend, so take it back out of the dedupe set.
      seen_ids.erase({ev.tenant(), ev.shop_id(), ev.event_id()});
      result->set_outcome(v1::REJECTED);
      result->set_reason(std::string(s.message()));
      continue;
    }
    result->set_outcome(v1::APPLIED);
    touched.insert(key);
  }
  for (const v1::EventResult& r : ack.results()) {
    fuzz::Require(r.outcome() != v1::EVENT_OUTCOME_UNSPECIFIED,
                  "every event gets an outcome");
    fuzz::Require((r.outcome() == v1::REJECTED) == !r.reason().empty(),
                  "exactly the rejected events carry a reason");
  }
  for (const auto& key : touched) {
    Shop& shop = shops.at(key);
    const watchers::ResolvedProfile& profile =
        fuzz::ProfileFor(registry, shop.state);
    fuzz::CheckShop(shop.state, profile, kNow, &shop.book);
    fuzz::CheckSnapshotRoundTrip(shop.state);
  }
  return 0;
}
