#include "daemon/health_state.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace depositd::daemon {
namespace {

// The sentence for a shard stuck in one step, or "" when none is.
std::string StuckShard(HealthState::Phase phase,
                       const HealthState::ShardStep& slowest,
                       absl::Duration max_step) {
  if (phase != HealthState::Phase::kServing || slowest.shard < 0 ||
      slowest.time <= max_step) {
    return "";
  }
  return absl::StrCat(
      "shard ", slowest.shard, " stuck in one processing step for ",
      absl::FormatDuration(absl::Trunc(slowest.time, absl::Milliseconds(1))),
      " (limit ", absl::FormatDuration(max_step),
      "): acks behind it wait; if it persists, take a stack dump "
      "(gdb -p PID -batch -ex 'thread apply all bt') and restart depositd");
}

}  // namespace

HealthState::HealthState(std::function<absl::Status()> writable)
    : writable_(std::move(writable)) {}

HealthState::~HealthState() {
  {
    absl::MutexLock lock(&watch_mu_);
    watch_stop_ = true;
  }
  if (watch_.joinable()) watch_.join();
}

void HealthState::SetListener(std::function<void(bool)> listener) {
  listener_ = std::move(listener);
}

void HealthState::SetProgressProbe(std::function<ShardStep()> probe,
                                   absl::Duration max_step) {
  absl::MutexLock lock(&probe_mu_);
  probe_ = std::move(probe);
  max_step_ = max_step;
}

void HealthState::ClearProgressProbe() {
  absl::MutexLock lock(&probe_mu_);
  probe_ = nullptr;
}

HealthState::ShardStep HealthState::Slowest() const {
  absl::MutexLock lock(&probe_mu_);
  return probe_ ? probe_() : ShardStep{};
}

void HealthState::SetServing() {
  Phase expected = Phase::kStarting;
  if (phase_.compare_exchange_strong(expected, Phase::kServing)) Refresh();
}

void HealthState::BeginDrain() {
  phase_.store(Phase::kDraining);
  Refresh();
}

void HealthState::Refresh() {
  const Phase p = phase();
  bool serving = p == Phase::kServing;
  if (serving) {
    absl::Duration max_step;
    {
      absl::MutexLock lock(&probe_mu_);
      max_step = max_step_;
    }
    serving = StuckShard(p, Slowest(), max_step).empty();
  }
  absl::MutexLock lock(&notify_mu_);
  if (serving == told_serving_) return;
  told_serving_ = serving;
  if (listener_) listener_(serving);
}

void HealthState::StartWatch(absl::Duration every) {
  absl::MutexLock lock(&watch_mu_);
  if (watch_.joinable() || watch_stop_) return;
  watch_ = std::thread([this, every] {
    auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(watch_mu_) {
      return watch_stop_;
    };
    while (true) {
      {
        absl::MutexLock lock(&watch_mu_);
        if (watch_mu_.AwaitWithTimeout(absl::Condition(&stop), every)) return;
      }
      Refresh();
    }
  });
}

HealthState::Report HealthState::EvaluateReadiness(Phase phase,
                                                   const absl::Status& writable,
                                                   ShardStep slowest,
                                                   absl::Duration max_step) {
  switch (phase) {
    case Phase::kStarting:
      return {false, "starting: recovery or listener start-up not finished"};
    case Phase::kDraining:
      return {false, "draining: shutting down (SIGTERM), not taking traffic"};
    case Phase::kServing:
      break;
  }
  if (std::string stuck = StuckShard(phase, slowest, max_step);
      !stuck.empty()) {
    return {false, std::move(stuck)};
  }
  if (!writable.ok()) {
    return {false, absl::StrCat("store not writable, ingest refused until a "
                                "write succeeds: ",
                                writable.message())};
  }
  return {true, "ready"};
}

HealthState::Report HealthState::EvaluateLiveness(Phase phase,
                                                  ShardStep slowest,
                                                  absl::Duration max_step) {
  if (std::string stuck = StuckShard(phase, slowest, max_step);
      !stuck.empty()) {
    return {false, std::move(stuck)};
  }
  switch (phase) {
    case Phase::kStarting:
      return {true, "alive: starting"};
    case Phase::kServing:
      return {true, "alive: serving"};
    case Phase::kDraining:
      return {true, "alive: draining"};
  }
  return {true, "alive"};
}

HealthState::Report HealthState::Readiness() const {
  const Phase p = phase();
  absl::Duration max_step;
  {
    absl::MutexLock lock(&probe_mu_);
    max_step = max_step_;
  }
  const bool serving = p == Phase::kServing;
  return EvaluateReadiness(
      p, serving && writable_ ? writable_() : absl::OkStatus(),
      serving ? Slowest() : ShardStep{}, max_step);
}

HealthState::Report HealthState::Liveness() const {
  const Phase p = phase();
  absl::Duration max_step;
  {
    absl::MutexLock lock(&probe_mu_);
    max_step = max_step_;
  }
  return EvaluateLiveness(p, p == Phase::kServing ? Slowest() : ShardStep{},
                          max_step);
}

}  // namespace depositd::daemon
