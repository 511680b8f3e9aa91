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
//     timestamps and endsAt), waits for the sink's pace (notifier/send_pace.h:
//     the platform's documented limit or the sink's `pace`; the slot is taken
//     when the answer is in) and is POSTed. The answer is classified by the
//     sink's kind (notifier/sink_response.h): a chat robot's HTTP 200 counts
//     only with its success code.
//       delivered                  the cursor moves on;
//       later (throttling code,    wait Retry-After (at most max_retry_after)
//       429, 503, other 5xx, 408,  or exponential backoff with full jitter
//       no answer)                 (backoff_base doubling up to backoff_cap),
//                                  retried until it succeeds or Stop;
//       refused (bad signature,    logged once per cause (reason) with the
//       keyword rule, too long,    sink and the alert key, counted as
//       other 4xx, requests that   `dropped` and in refused_by_reason,
//       cannot be built)           skipped; and the sink is FAILING: see
//                                  below.
//     Other failures are logged to stderr, at most one line per sink every
//     `log_interval` (later lines say how many were suppressed).
//
// Digests: a chat robot (SLACK, DINGTALK, FEISHU, WECOM) whose backlog is
// larger than its pace lets through now gets the run of pending transitions
// of one tenant (up to sink.digest_max, default 20, consecutive in the log)
// as one digest message (notifier/digest.h); the cursor moves past the whole
// run once the digest is delivered, so order per shop and at least once
// hold. The alert log and Watch are unaffected.
//
// SINK_FAILING: the first refusal raises a SINK_FAILING alert about the sink
// (key: the refused alert's tenant, kind SINK_FAILING, subject the sink's
// name) and sends it to the other sinks its routes match (every other sink
// when none does); the next delivery to the sink resolves it the same way.
// These alerts are not in the alert log (sequence 0), are delivered before
// the log's next transitions (Alertmanager sinks also re-post them while they
// fire), and are not kept across restarts (a sink that still refuses raises
// it again on its next refusal).
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
#include <map>
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
#include "depositd/v1/service.pb.h"
#include "notifier/payload.h"
#include "notifier/routing.h"
#include "notifier/send_pace.h"
#include "notifier/silences.h"
#include "notifier/sink_response.h"
#include "watchers/clock.h"

namespace depositd::daemon {

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
    int64_t delivered = 0;  // transitions the sink accepted
    int64_t retries = 0;    // failed attempts that were retried
    int64_t dropped = 0;    // refused (permanent failures), skipped
    // `dropped` by cause, e.g. {"dingtalk errcode 310000": 3}.
    std::map<std::string, int64_t> refused_by_reason;
    int64_t throttled = 0;   // answers saying "too fast" (retried)
    int64_t digests = 0;     // digest messages delivered
    bool failing = false;    // SINK_FAILING is firing about this sink
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
  // The same into Admin.GetStats' `sinks`.
  void FillStats(v1::StatsResponse* response) const;

 private:
  class Waker;
  struct Worker;

  explicit SinkDispatcher(const Options& options);
  void Run(Worker* w);
  // Builds (afresh for each attempt: signature timestamps) and POSTs until
  // delivered, permanently failed, no longer wanted (`still_wanted` false
  // before an attempt: silenced meanwhile) or stopping. `what` names what
  // is sent, for log lines.
  // `about`: the (first) alert sent, named by SINK_FAILING when the sink
  // refuses it; null for SINK_FAILING alerts themselves.
  enum class Outcome { kDelivered, kDropped, kSilenced, kStopped };
  Outcome PostWithRetries(
      Worker* w, const std::string& what,
      const std::function<absl::StatusOr<notifier::HttpRequest>()>& build,
      const std::function<bool()>& still_wanted, const v1::Alert* about);
  // A refusal: logged once per cause, counted, SINK_FAILING raised.
  void Refused(Worker* w, const std::string& what, const v1::Alert* about,
               const notifier::SinkVerdict& verdict);
  void RaiseSinkFailing(Worker* w, const v1::Alert& about,
                        const notifier::SinkVerdict& verdict);
  void ResolveSinkFailing(Worker* w);
  // The workers a SINK_FAILING alert goes to: the other sinks its routes
  // match, or every other sink when none does.
  std::vector<Worker*> TargetsOf(const v1::Alert& alert) const;
  // Queues `alert` (SINK_FAILING about `from`) on the other workers.
  void SendToOtherSinks(Worker* from, const v1::Alert& alert);
  // Delivers the queued SINK_FAILING alerts. False when stopping.
  bool DeliverSinkAlerts(Worker* w);
  absl::Time Now() const;
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
  // SINK_FAILING alerts firing now, by the failing sink's name (Alertmanager
  // sinks re-post them with the other firing alerts).
  std::map<std::string, v1::Alert> firing_sink_alerts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SINK_DISPATCHER_H_
