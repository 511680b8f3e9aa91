// Processing-time clocks for the engine: the wall clock, or a test clock that
// moves only through the Admin test-clock RPCs (--test-clock).
#ifndef DEPOSITD_DAEMON_ENGINE_CLOCK_H_
#define DEPOSITD_DAEMON_ENGINE_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "watchers/clock.h"

namespace depositd::daemon {

// A watchers::Clock the engine can also wait on. Thread-safe.
class EngineClock : public watchers::Clock {
 public:
  // True for the test clock: time moves only by Set/Advance, so deadline
  // loops wait for a wake-up instead of a timer.
  virtual bool is_test() const = 0;
};

// absl::Now(). Thread-safe.
class RealClock final : public EngineClock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  bool is_test() const override { return false; }
};

// A clock moved by hand. Never goes backwards. Thread-safe. The engine wakes
// its deadline loops after a change (Engine::SetTestClock).
class TestClock final : public EngineClock {
 public:
  explicit TestClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  bool is_test() const override { return true; }

  // INVALID_ARGUMENT if `t` is before now.
  absl::Status Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    if (t < now_) {
      return absl::InvalidArgumentError(
          "the test clock never moves backwards: requested " +
          absl::FormatTime(t) + " is before now " + absl::FormatTime(now_));
    }
    now_ = t;
    return absl::OkStatus();
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_ENGINE_CLOCK_H_
