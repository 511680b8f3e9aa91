#include "daemon/health_state.h"

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

using Phase = HealthState::Phase;

TEST(HealthStateTest, ReadinessRule) {
  struct Case {
    Phase phase;
    absl::Status writable;
    bool ready;
    const char* reason_starts;
  };
  const std::vector<Case> cases = {
      {Phase::kStarting, absl::OkStatus(), false, "starting"},
      {Phase::kServing, absl::OkStatus(), true, "ready"},
      {Phase::kServing, absl::ResourceExhaustedError("No space left on device"),
       false, "store not writable"},
      {Phase::kDraining, absl::OkStatus(), false, "draining"},
      {Phase::kDraining, absl::UnavailableError("disk"), false, "draining"},
  };
  for (const Case& c : cases) {
    const HealthState::Report r =
        HealthState::EvaluateReadiness(c.phase, c.writable);
    EXPECT_EQ(r.ok, c.ready) << r.reason;
    EXPECT_EQ(r.reason.rfind(c.reason_starts, 0), 0u) << r.reason;
  }
}

TEST(HealthStateTest, StoreErrorNamedInTheReason) {
  absl::Status writable = absl::OkStatus();
  HealthState health([&writable] { return writable; });
  health.SetServing();
  EXPECT_TRUE(health.Readiness().ok);
  writable = absl::ResourceExhaustedError("No space left on device");
  const HealthState::Report r = health.Readiness();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.reason.find("No space left on device"), std::string::npos);
  EXPECT_TRUE(health.Liveness().ok);
}

TEST(HealthStateTest, ListenerSeesServingThenDrainOnce) {
  HealthState health;
  std::vector<bool> seen;
  health.SetListener([&seen](bool serving) { seen.push_back(serving); });
  EXPECT_FALSE(health.Readiness().ok);
  health.SetServing();
  health.SetServing();  // no second call
  EXPECT_TRUE(health.Readiness().ok);
  health.BeginDrain();
  health.BeginDrain();  // idempotent
  health.SetServing();  // a drain is final
  EXPECT_EQ(health.phase(), Phase::kDraining);
  EXPECT_FALSE(health.Readiness().ok);
  EXPECT_TRUE(health.Liveness().ok);
  EXPECT_EQ(seen, (std::vector<bool>{true, false}));
}

TEST(HealthStateTest, LivenessRule) {
  using Step = HealthState::ShardStep;
  const absl::Duration limit = absl::Seconds(30);
  struct Case {
    Phase phase;
    Step slowest;
    bool alive;
    const char* reason_starts;
  };
  const std::vector<Case> cases = {
      {Phase::kServing, {}, true, "alive: serving"},
      {Phase::kServing, {1, absl::Seconds(29)}, true, "alive: serving"},
      {Phase::kServing, {1, absl::Seconds(30)}, true, "alive: serving"},
      {Phase::kServing, {3, absl::Seconds(31)}, false, "shard 3 stuck"},
      // Only while serving: recovery and the final checkpoint may be long.
      {Phase::kStarting, {0, absl::Minutes(5)}, true, "alive: starting"},
      {Phase::kDraining, {0, absl::Minutes(5)}, true, "alive: draining"},
  };
  for (const Case& c : cases) {
    const HealthState::Report r =
        HealthState::EvaluateLiveness(c.phase, c.slowest, limit);
    EXPECT_EQ(r.ok, c.alive) << r.reason;
    EXPECT_EQ(r.reason.rfind(c.reason_starts, 0), 0u) << r.reason;
    const HealthState::Report ready = HealthState::EvaluateReadiness(
        c.phase, absl::OkStatus(), c.slowest, limit);
    if (!c.alive) EXPECT_EQ(ready.reason, r.reason);
  }
}

// Shards with a fake monotonic clock: each records when its current step
// started (0: waiting for work), as Shard does, and the probe reports the
// longest, as Engine::SlowestShardStep does.
class FakeShards {
 public:
  explicit FakeShards(int n) : started_(n, 0) {}
  void Begin(int shard) { started_[shard] = now_; }
  void End(int shard) { started_[shard] = 0; }
  void Advance(absl::Duration d) { now_ += absl::ToInt64Nanoseconds(d); }
  HealthState::ShardStep Slowest() const {
    HealthState::ShardStep s;
    for (size_t i = 0; i < started_.size(); ++i) {
      if (started_[i] == 0) continue;
      const absl::Duration t = absl::Nanoseconds(now_ - started_[i]);
      if (t > s.time) s = {static_cast<int>(i), t};
    }
    return s;
  }

 private:
  int64_t now_ = 1'000'000'000;
  std::vector<int64_t> started_;
};

TEST(HealthStateTest, StuckShardFailsBothProbesAndGrpcHealthUntilItMoves) {
  FakeShards shards(4);
  HealthState health;
  std::vector<bool> seen;
  health.SetListener([&seen](bool serving) { seen.push_back(serving); });
  health.SetProgressProbe([&shards] { return shards.Slowest(); },
                          absl::Seconds(30));
  health.SetServing();
  EXPECT_TRUE(health.Liveness().ok);

  shards.Begin(2);
  shards.Advance(absl::Seconds(10));
  shards.Begin(1);  // a short step on another shard
  shards.Advance(absl::Seconds(5));
  shards.End(1);
  health.Refresh();
  EXPECT_TRUE(health.Liveness().ok) << health.Liveness().reason;

  shards.Advance(absl::Seconds(20));  // shard 2: 35 s in one step
  const HealthState::Report live = health.Liveness();
  EXPECT_FALSE(live.ok);
  EXPECT_EQ(live.reason.rfind("shard 2 stuck in one processing step for 35s "
                              "(limit 30s)",
                              0),
            0u)
      << live.reason;
  EXPECT_EQ(health.Readiness().reason, live.reason);
  health.Refresh();
  health.Refresh();  // told once

  shards.End(2);
  health.Refresh();
  EXPECT_TRUE(health.Liveness().ok);
  EXPECT_TRUE(health.Readiness().ok);
  EXPECT_EQ(seen, (std::vector<bool>{true, false, true}));

  health.ClearProgressProbe();
  shards.Begin(0);
  shards.Advance(absl::Minutes(5));
  EXPECT_TRUE(health.Liveness().ok);
}

}  // namespace
}  // namespace depositd::daemon
