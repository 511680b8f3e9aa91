// Time for the pure core: read only through an injected Clock, never from the
// wall. The daemon passes a real or test clock; tests pass FakeClock.
#ifndef DEPOSITD_WATCHERS_CLOCK_H_
#define DEPOSITD_WATCHERS_CLOCK_H_

#include "absl/time/time.h"

namespace depositd::watchers {

// A source of "now". Implementations say their own thread-safety.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// A clock that moves only when told. Not thread-safe; for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override { return now_; }
  void Set(absl::Time t) { now_ = t; }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time now_;
};

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_CLOCK_H_
