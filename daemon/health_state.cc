#include "daemon/health_state.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace depositd::daemon {

HealthState::HealthState(std::function<absl::Status()> writable)
    : writable_(std::move(writable)) {}

void HealthState::SetListener(std::function<void(bool)> listener) {
  listener_ = std::move(listener);
}

void HealthState::SetServing() {
  Phase expected = Phase::kStarting;
  if (phase_.compare_exchange_strong(expected, Phase::kServing) && listener_) {
    listener_(true);
  }
}

void HealthState::BeginDrain() {
  const Phase was = phase_.exchange(Phase::kDraining);
  if (was == Phase::kServing && listener_) listener_(false);
}

HealthState::Report HealthState::EvaluateReadiness(
    Phase phase, const absl::Status& writable) {
  switch (phase) {
    case Phase::kStarting:
      return {false, "starting: recovery or listener start-up not finished"};
    case Phase::kDraining:
      return {false, "draining: shutting down (SIGTERM), not taking traffic"};
    case Phase::kServing:
      break;
  }
  if (!writable.ok()) {
    return {false, absl::StrCat("store not writable, ingest refused until a "
                                "write succeeds: ",
                                writable.message())};
  }
  return {true, "ready"};
}

HealthState::Report HealthState::Readiness() const {
  const Phase p = phase();
  return EvaluateReadiness(
      p, p == Phase::kServing && writable_ ? writable_() : absl::OkStatus());
}

HealthState::Report HealthState::Liveness() const {
  switch (phase()) {
    case Phase::kStarting:
      return {true, "alive: starting"};
    case Phase::kServing:
      return {true, "alive: serving"};
    case Phase::kDraining:
      return {true, "alive: draining"};
  }
  return {true, "alive"};
}

}  // namespace depositd::daemon
