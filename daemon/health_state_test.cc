#include "daemon/health_state.h"

#include <vector>

#include "absl/status/status.h"
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

}  // namespace
}  // namespace depositd::daemon
