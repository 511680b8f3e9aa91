#include "daemon/admission.h"

#include <utility>

namespace depositd::daemon {

void Admission::Admit(PendingBatch* batch, std::vector<ShardTask> tasks,
                      std::function<void()> accepted) {
  {
    absl::MutexLock lock(&mu_);
    const int64_t n = batch->admitted_events;
    if (!waiters_.empty() || (inflight_ > 0 && inflight_ + n > max_inflight_)) {
      waiters_.push_back(Waiter{batch, std::move(tasks), std::move(accepted)});
      return;
    }
    inflight_ += n;
  }
  dispatch_(tasks);
  if (accepted) accepted();
}

void Admission::Release(int64_t events) {
  std::vector<Waiter> runnable;
  {
    absl::MutexLock lock(&mu_);
    inflight_ -= events;
    while (!waiters_.empty()) {
      Waiter& w = waiters_.front();
      const int64_t n = w.batch->admitted_events;
      if (inflight_ > 0 && inflight_ + n > max_inflight_) break;
      inflight_ += n;
      runnable.push_back(std::move(w));
      waiters_.pop_front();
    }
  }
  for (Waiter& w : runnable) {
    dispatch_(w.tasks);
    if (w.accepted) w.accepted();
  }
}

void Admission::Drain(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto drained = [](Admission* a) ABSL_EXCLUSIVE_LOCKS_REQUIRED(a->mu_) {
    return a->waiters_.empty() && a->inflight_ == 0;
  };
  mu_.AwaitWithTimeout(absl::Condition(+drained, this), timeout);
}

}  // namespace depositd::daemon
