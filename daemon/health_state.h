// HealthState: the one place that says whether depositd is ready, read by
// the HTTP probes (/readyz, /livez) and mirrored into gRPC's standard
// grpc.health.v1 service, so the two never disagree about the phase.
//
//   starting ──SetServing()──> serving ──BeginDrain()──> draining
//
// Ready means: serving (recovery done, listeners up), not draining, and the
// store writable (Engine::WritableStatus OK: a full disk makes the committer
// refuse writes until a retry works). /readyz answers 503 with the first
// reason that fails; gRPC health follows the phase (SERVING only while
// serving) through the listener, which is called at each phase change.
// The store-writable part is read at each probe, so it shows on /readyz
// only; gRPC callers see the same condition as UNAVAILABLE on ingest.
//
// Progress: with a probe (SetProgressProbe: the shard longest inside one
// processing step, Engine::SlowestShardStep), a shard stuck in one step
// longer than max_step (30 s by default; steps take milliseconds) while
// serving fails both probes, naming the shard: /livez 503 (the process no
// longer makes progress: restarting it helps) and /readyz 503 (its acks
// wait), and gRPC health turns NOT_SERVING. gRPC health is pushed, not
// asked, so Refresh() re-reads the probe and tells the listener when the
// answer changes; StartWatch runs it periodically.
//
// Liveness is otherwise weaker on purpose: the process answers, also while
// starting (a long replay) and draining; a full disk fails readiness only,
// since a probe that kills on "not ready" would restart a daemon that is
// only waiting for disk space, which would not help.
//
// Thread-safety: thread-safe. The listener runs on the thread that changes
// the phase or calls Refresh (the watch thread), under HealthState's
// notification lock (it must not call back into HealthState).
#ifndef DEPOSITD_DAEMON_HEALTH_STATE_H_
#define DEPOSITD_DAEMON_HEALTH_STATE_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace depositd::daemon {

// The shard longest inside one processing step now; shard -1 when every
// shard waits for work.
struct SlowestShardStep {
  int shard = -1;
  absl::Duration time = absl::ZeroDuration();
};

class HealthState {
 public:
  enum class Phase { kStarting, kServing, kDraining };

  // A probe's answer: ok, or the reason it is not (a sentence for the
  // response body and the operator).
  struct Report {
    bool ok = false;
    std::string reason;
  };

  using ShardStep = SlowestShardStep;
  static constexpr absl::Duration kDefaultMaxShardStep = absl::Seconds(30);

  // `writable` is asked at each readiness probe (null: always writable);
  // it must be thread-safe and not block (Engine::WritableStatus is both).
  explicit HealthState(std::function<absl::Status()> writable = nullptr);
  // Stops the watch thread.
  ~HealthState();
  HealthState(const HealthState&) = delete;
  HealthState& operator=(const HealthState&) = delete;

  // Checks shard progress from now on with `probe` (thread-safe, non
  // blocking: Engine::SlowestShardStep is both). Set once, before the
  // watch starts; the probe must outlive this object or ClearProgressProbe.
  void SetProgressProbe(std::function<ShardStep()> probe,
                        absl::Duration max_step = kDefaultMaxShardStep);
  // Stops asking the probe (before the engine it reads goes away).
  void ClearProgressProbe();

  // Called with true when the phase becomes serving, false when it leaves
  // it. Set before the first phase change; not thread-safe against them.
  void SetListener(std::function<void(bool serving)> listener);

  // starting → serving. Ignored in any other phase.
  void SetServing();
  // → draining, from any phase. Idempotent.
  void BeginDrain();

  Phase phase() const { return phase_.load(); }
  Report Readiness() const;
  Report Liveness() const;

  // Re-reads the probe and tells the listener when "serving" (phase
  // serving and no shard stuck) changed. Thread-safe.
  void Refresh();
  // Calls Refresh every `every` on a thread of its own until destruction.
  // Idempotent.
  void StartWatch(absl::Duration every);

  // The pure rules behind Readiness() and Liveness(), for tests. `slowest`
  // counts only while serving and when over `max_step`.
  static Report EvaluateReadiness(
      Phase phase, const absl::Status& writable, ShardStep slowest = {},
      absl::Duration max_step = absl::InfiniteDuration());
  static Report EvaluateLiveness(
      Phase phase, ShardStep slowest = {},
      absl::Duration max_step = absl::InfiniteDuration());

 private:
  ShardStep Slowest() const;

  const std::function<absl::Status()> writable_;
  std::function<void(bool)> listener_;
  std::atomic<Phase> phase_{Phase::kStarting};

  mutable absl::Mutex probe_mu_;
  std::function<ShardStep()> probe_ ABSL_GUARDED_BY(probe_mu_);
  absl::Duration max_step_ ABSL_GUARDED_BY(probe_mu_) =
      absl::InfiniteDuration();

  // What the listener was last told.
  absl::Mutex notify_mu_;
  bool told_serving_ ABSL_GUARDED_BY(notify_mu_) = false;

  absl::Mutex watch_mu_;
  bool watch_stop_ ABSL_GUARDED_BY(watch_mu_) = false;
  std::thread watch_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_HEALTH_STATE_H_
