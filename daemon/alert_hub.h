// AlertHub: the committed alert log, in memory for live readers.
//
// The committer publishes each durable group of alert transitions here, in
// sequence order. The hub keeps the most recent transitions in a bounded
// ring, the set of alerts firing now (for Alerts.List), and the Watch
// subscribers. Publishing only appends to the ring and pokes subscribers
// (each pulls at its own pace), so a slow subscriber never slows ingest. A
// live subscriber that falls more than `max_lag` transitions behind is told
// to end (RESOURCE_EXHAUSTED, resumable). Older transitions are read back
// from the store's alert family.
#ifndef DEPOSITD_DAEMON_ALERT_HUB_H_
#define DEPOSITD_DAEMON_ALERT_HUB_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "daemon/store.h"
#include "depositd/v1/alerts.pb.h"
#include "depositd/v1/service.pb.h"

namespace depositd::daemon {

// True if `alert` passes `filter` (tenant, shop, kinds, min severity).
bool AlertMatches(const v1::Alert& alert, const v1::AlertFilter& filter);

// Implemented by Watch sessions. Thread-safe.
class AlertSubscriber {
 public:
  virtual ~AlertSubscriber() = default;
  // New transitions were committed. Called without hub locks held.
  virtual void OnAlertsCommitted() = 0;
};

// Thread-safe.
class AlertHub {
 public:
  struct Options {
    const Store* store = nullptr;  // borrowed, for reads older than the ring
    size_t ring_capacity = 65536;
  };
  AlertHub(Options options, uint64_t last_sequence,
           std::vector<v1::Alert> active);

  // Committed transitions, in sequence order.
  void Publish(std::vector<v1::Alert> alerts);

  uint64_t last_sequence() const;

  // Alerts firing now that match `filter`, ordered by key. Each carries the
  // sequence of its last transition when this process committed it; alerts
  // recovered at startup (from checkpoints and replay) carry sequence 0
  // until their next transition (the alert log has every transition).
  std::vector<v1::Alert> ListFiring(const v1::AlertFilter& filter) const;
  size_t firing_count() const;

  // Reads up to `max` committed transitions with sequence >= from, in order.
  // Empty when `from` is past the last sequence.
  absl::Status Read(uint64_t from, size_t max,
                    std::vector<v1::Alert>* out) const;

  // Subscriptions hold the subscriber weakly. `watch_stream`: an
  // Alerts.Watch client (counted by watch_subscribers()), not an internal
  // reader such as the sink dispatcher.
  void Subscribe(std::weak_ptr<AlertSubscriber> s, bool watch_stream = false);
  // Watch streams subscribed now (for /metrics).
  size_t watch_subscribers() const;

 private:
  const Options options_;
  mutable absl::Mutex mu_;
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::Alert> ring_ ABSL_GUARDED_BY(mu_);  // consecutive sequences
  std::map<std::string, v1::Alert> firing_ ABSL_GUARDED_BY(mu_);
  struct Subscription {
    std::weak_ptr<AlertSubscriber> subscriber;
    bool watch_stream = false;
  };
  std::vector<Subscription> subscribers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_ALERT_HUB_H_
