// SinkDispatcher: delivers committed alert transitions to the configured
// sinks (webhooks, chat robots, Alertmanager) over HTTP.
//
// The alert log (AlertHub, backed by the store's alert family) is an outbox;
// each sink reads it from its own cursor, one worker thread per sink, in
// sequence order, so a shop's alerts reach a sink in the order they
// happened. Delivery is at least once: the cursor (the next sequence to
// deliver) is persisted in the meta family under "sink_cursor/<name>" (8-byte
// big-endian) after each delivered or skipped transition, so after a crash
// the sink resumes where it was and may send the last transition again
// (receivers de-duplicate by the alert key and sequence).
//
// For each transition, in order:
//   - not routed to this sink (AlertRouter::Routes): skipped;
//   - silenced at delivery time (AlertSilencer, `clock` time): skipped and
//     counted as `silenced`;
//   - Alertmanager sinks also skip ACKNOWLEDGED and REPEATED changes
//     (Alertmanager repeats notifications itself); they do send UPDATED
//     (the same labels with new annotations, which Alertmanager shows
//     without notifying again);
//   - chat robot sinks (SLACK, DINGTALK, FEISHU, WECOM) skip UPDATED
//     changes: an update is not a page, and a chat message is one; the
//     alert's next page (escalation, reminder, resolution) carries the
//     new content. WEBHOOK sinks get every change;
//   - the request is built (notifier/payload.h, wall-clock time for signature
//     timestamps and endsAt) and POSTed:
//       2xx                        delivered;
//       429, 503                   wait Retry-After (at most
//                                  max_retry_after) or back off; retry;
//       other 5xx, 408, no answer  exponential backoff with full jitter
//                                  (backoff_base doubling up to backoff_cap),
//                                  retried until it succeeds or Stop;
//       other 4xx (and requests    permanent: logged with sink, key, status
//       that cannot be built)      and the first 200 bytes of the answer,
//                                  counted as `dropped`, skipped.
//     Failures are logged to stderr, at most one line per sink every
//     `log_interval` (later lines say how many were suppressed).
//
// Alertmanager sinks send up to `alertmanager_batch` consecutive transitions
// per POST (a batch ends before a key that is already in it, so Alertmanager
// sees every state of a key in order), and every `alertmanager_resend`
// re-post the alerts firing now (routed, not silenced) with endsAt = now +
// 4 × alertmanager_resend, so Alertmanager does not resolve alerts that are
// still firing; the first re-post is right after Start.
//
// A sink with no persisted cursor (new in the configuration) starts at the
// end of the alert log (AlertHub::last_sequence() + 1), and that cursor is
// written (synced) by Create: transitions committed before the sink existed
// are not sent to it (for Alertmanager, the re-post of firing alerts covers
// them), and none committed after Create are ever missed.
//
// Example (depositd_main.cc):
//   SinkDispatcher::Options o;
//   o.store = store; o.hub = engine->alert_hub(); o.router = &router;
//   o.silencer = engine->silencer(); o.clock = clock;
//   o.language = [&](const std::string& tenant) { return "en"; };
//   absl::StatusOr<std::unique_ptr<SinkDispatcher>> d =
//       SinkDispatcher::Create(o);
//   (*d)->Start();
//   ...
//   (*d)->Stop();   // before the engine stops
//
// Thread-safety: thread-safe. Start, Stop and Stats may be called from any
// thread; Stop aborts requests in flight (within about a second) and joins
// the workers.
#ifndef DEPOSITD_DAEMON_SINK_DISPATCHER_H_
#define DEPOSITD_DAEMON_SINK_DISPATCHER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/alert_hub.h"
#include "daemon/store.h"
#include "depositd/v1/config.pb.h"
#include "notifier/payload.h"
#include "notifier/routing.h"
#include "notifier/silences.h"
#include "watchers/clock.h"

namespace depositd::daemon {

// The meta-family key of a sink's cursor.
std::string SinkCursorKey(absl::string_view sink_name);

class SinkDispatcher {
 public:
  struct Options {
    Store* store = nullptr;                         // borrowed; cursors
    AlertHub* hub = nullptr;                        // borrowed; the alert log
    const notifier::AlertRouter* router = nullptr;  // borrowed
    // Borrowed; null: nothing is silenced.
    const notifier::AlertSilencer* silencer = nullptr;
    // Time for silence checks (the engine's clock, so silences follow the
    // test clock). Borrowed; null: the wall clock.
    const watchers::Clock* clock = nullptr;
    // Message language of a tenant ("en", "zh-CN"). Null: "en".
    std::function<std::string(const std::string& tenant)> language;
    absl::Duration backoff_base = absl::Milliseconds(500);
    absl::Duration backoff_cap = absl::Seconds(60);
    absl::Duration max_retry_after = absl::Minutes(10);
    absl::Duration alertmanager_resend = absl::Seconds(60);
    size_t alertmanager_batch = 64;
    // At most one failure line per sink this often.
    absl::Duration log_interval = absl::Seconds(10);
  };

  // Delivery figures of one sink since this process started (cursor and
  // last_error describe now).
  struct SinkStats {
    std::string name;
    v1::SinkType type = v1::SINK_TYPE_UNSPECIFIED;
    int64_t delivered = 0;   // transitions answered 2xx
    int64_t retries = 0;     // failed attempts that were retried
    int64_t dropped = 0;     // permanent failures, skipped
    int64_t silenced = 0;    // skipped because a silence matched
    int64_t resent = 0;      // Alertmanager: firing alerts re-posted
    uint64_t cursor = 0;     // next sequence to deliver
    std::string last_error;  // empty if the last attempt succeeded
    absl::Time last_error_at = absl::InfinitePast();
  };

  // Reads each sink's cursor (creating missing ones, synced). Fails with
  // INVALID_ARGUMENT when store, hub or router is missing, or the store's
  // error. Starts nothing.
  static absl::StatusOr<std::unique_ptr<SinkDispatcher>> Create(
      const Options& options);
  ~SinkDispatcher();  // Stop()
  SinkDispatcher(const SinkDispatcher&) = delete;
  SinkDispatcher& operator=(const SinkDispatcher&) = delete;

  // Starts one worker per sink. Once only; no-op after Stop.
  void Start();
  // Aborts requests in flight and joins the workers. Idempotent.
  void Stop();

  // One entry per sink, in configuration order.
  std::vector<SinkStats> Stats() const;

 private:
  class Waker;
  struct Worker;

  explicit SinkDispatcher(const Options& options);
  void Run(Worker* w);
  // Builds (afresh for each attempt: signature timestamps) and POSTs until
  // delivered, permanently failed, no longer wanted (`still_wanted` false
  // before an attempt: silenced meanwhile) or stopping. `what` names what
  // is sent, for log lines.
  enum class Outcome { kDelivered, kDropped, kSilenced, kStopped };
  Outcome PostWithRetries(
      Worker* w, const std::string& what,
      const std::function<absl::StatusOr<notifier::HttpRequest>()>& build,
      const std::function<bool()>& still_wanted);
  void ProcessChunk(Worker* w, const std::vector<v1::Alert>& chunk);
  void ProcessAlertmanagerChunk(Worker* w, const std::vector<v1::Alert>& chunk);
  // Re-posts the firing alerts to an Alertmanager sink. False when stopping.
  bool Resend(Worker* w);
  bool Silenced(const v1::Alert& alert) const;
  std::string Language(const std::string& tenant) const;
  void PersistCursor(Worker* w, uint64_t cursor);
  absl::Duration Backoff(Worker* w, int attempt);
  void LogFailure(Worker* w, const std::string& line);
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }

  const Options options_;
  std::atomic<bool> stop_{false};
  std::shared_ptr<Waker> waker_;
  std::vector<std::unique_ptr<Worker>> workers_;

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SINK_DISPATCHER_H_
