#include "notifier/send_pace.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace depositd::notifier {

std::vector<PaceLimit> DefaultSinkPace(const v1::Sink& sink) {
  std::vector<PaceLimit> out;
  if (sink.pace_size() > 0) {
    for (const v1::SinkPace& p : sink.pace()) {
      out.push_back({p.messages(), absl::Milliseconds(p.per_ms())});
    }
    return out;
  }
  switch (sink.type()) {
    case v1::DINGTALK:
    case v1::WECOM:
      out.push_back({20, absl::Minutes(1)});
      break;
    case v1::FEISHU:
      out.push_back({5, absl::Seconds(1)});
      out.push_back({100, absl::Minutes(1)});
      break;
    case v1::SLACK:
      out.push_back({1, absl::Seconds(1)});
      break;
    default:
      break;
  }
  return out;
}

SendPace::SendPace(std::vector<PaceLimit> limits) {
  for (PaceLimit& l : limits) {
    if (l.messages < 1 || l.window <= absl::ZeroDuration()) continue;
    limits_.push_back(Bucket{l, {}});
  }
}

absl::Time SendPace::ReadyAt(absl::Time now) const {
  absl::Time ready = now;
  for (const Bucket& b : limits_) {
    if (b.sent.size() < static_cast<size_t>(b.limit.messages)) continue;
    // The oldest of the last `messages` sends frees its slot one window
    // after it.
    ready = std::max(ready, b.sent.front() + b.limit.window);
  }
  return ready;
}

size_t SendPace::Available(absl::Time now) const {
  size_t available = std::numeric_limits<size_t>::max();
  for (const Bucket& b : limits_) {
    size_t in_window = 0;
    for (absl::Time t : b.sent) {
      if (t + b.limit.window > now) ++in_window;
    }
    const size_t cap = static_cast<size_t>(b.limit.messages);
    available = std::min(available, in_window >= cap ? 0 : cap - in_window);
  }
  return available;
}

void SendPace::Spend(absl::Time at) {
  for (Bucket& b : limits_) {
    b.sent.push_back(at);
    while (b.sent.size() > static_cast<size_t>(b.limit.messages)) {
      b.sent.pop_front();
    }
  }
}

}  // namespace depositd::notifier
