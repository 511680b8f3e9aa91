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
// Liveness is weaker on purpose: the process answers and has not finished
// draining. It does not check that each shard thread makes progress (no
// shard heartbeat yet); a probe that kills on "not ready" would restart a
// daemon that is only waiting for disk space, which would not help.
//
// Thread-safety: thread-safe. The listener runs on the thread that changes
// the phase, outside any lock held by HealthState.
#ifndef DEPOSITD_DAEMON_HEALTH_STATE_H_
#define DEPOSITD_DAEMON_HEALTH_STATE_H_

#include <atomic>
#include <functional>
#include <string>

#include "absl/status/status.h"

namespace depositd::daemon {

class HealthState {
 public:
  enum class Phase { kStarting, kServing, kDraining };

  // A probe's answer: ok, or the reason it is not (a sentence for the
  // response body and the operator).
  struct Report {
    bool ok = false;
    std::string reason;
  };

  // `writable` is asked at each readiness probe (null: always writable);
  // it must be thread-safe and not block (Engine::WritableStatus is both).
  explicit HealthState(std::function<absl::Status()> writable = nullptr);

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

  // The pure rule behind Readiness(), for tests.
  static Report EvaluateReadiness(Phase phase, const absl::Status& writable);

 private:
  const std::function<absl::Status()> writable_;
  std::function<void(bool)> listener_;
  std::atomic<Phase> phase_{Phase::kStarting};
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_HEALTH_STATE_H_
