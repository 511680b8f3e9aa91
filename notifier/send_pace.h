// SendPace: how fast one sink may be sent to. A token bucket per limit
// ("at most N messages in any window W"), where each token comes back one
// window after it was spent: a sliding window, so a robot that counts
// messages over its last minute never sees more than N. Several limits all
// hold (Feishu: 5 a second and 100 a minute).
//
// The platforms' documented limits are the defaults (DefaultSinkPace):
//   DINGTALK  20 a minute per robot (beyond it the robot is blocked 10 min)
//   WECOM     20 a minute per robot
//   FEISHU    5 a second and 100 a minute per bot
//   SLACK     1 a second per incoming webhook
//   WEBHOOK, ALERTMANAGER  unpaced
// A sink's `pace` in the configuration replaces them.
//
// Example:
//   SendPace pace(DefaultSinkPace(sink));
//   absl::Time ready = pace.ReadyAt(now);   // <= now: may send now
//   ... wait until `ready` ...
//   pace.Spend(ready);                      // one message sent
//
// Pure: time is an argument, no clock is read. Not thread-safe; owned by one
// sink's worker.
#ifndef DEPOSITD_NOTIFIER_SEND_PACE_H_
#define DEPOSITD_NOTIFIER_SEND_PACE_H_

#include <cstddef>
#include <deque>
#include <vector>

#include "absl/time/time.h"
#include "depositd/v1/config.pb.h"

namespace depositd::notifier {

struct PaceLimit {
  int messages = 0;       // >= 1
  absl::Duration window;  // > 0
};

// sink.pace when set, else the platform's documented limits (see above);
// empty for unpaced sinks.
std::vector<PaceLimit> DefaultSinkPace(const v1::Sink& sink);

class SendPace {
 public:
  // No limits: always ready.
  SendPace() = default;
  explicit SendPace(std::vector<PaceLimit> limits);

  // The earliest time >= `now` at which one more message keeps every limit.
  absl::Time ReadyAt(absl::Time now) const;
  // How many messages could go out at `now` without waiting (a large number
  // when unpaced).
  size_t Available(absl::Time now) const;
  // Records a message sent at `at` (call with non-decreasing times).
  void Spend(absl::Time at);

  bool unpaced() const { return limits_.empty(); }

 private:
  struct Bucket {
    PaceLimit limit;
    std::deque<absl::Time> sent;  // times of the last `messages` sends
  };
  std::vector<Bucket> limits_;
};

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_SEND_PACE_H_
