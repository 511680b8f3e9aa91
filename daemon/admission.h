// Admission: the in-flight event budget of ingest
// (Engine::Options::max_inflight_events). A batch whose events fit is
// dispatched to its shards at once; one that does not waits, in FIFO order
// behind any earlier waiter, until acks release enough events; its
// `accepted` callback runs when it is dispatched, so the ingest stream holds
// its next read until then and HTTP/2 flow control slows the client. A
// batch larger than the whole budget is let in alone when nothing is in
// flight, so it cannot wait forever.
//
// Thread-safe: Admit runs on gRPC threads, Release on the committer thread
// (when a batch's ack goes out), Drain at shutdown. `dispatch` runs outside
// the lock.
#ifndef DEPOSITD_DAEMON_ADMISSION_H_
#define DEPOSITD_DAEMON_ADMISSION_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/engine_internal.h"

namespace depositd::daemon {

class Admission {
 public:
  // `dispatch` queues a batch's shard tasks (on their shards).
  Admission(int64_t max_inflight_events,
            std::function<void(std::vector<ShardTask>&)> dispatch)
      : max_inflight_(max_inflight_events), dispatch_(std::move(dispatch)) {}

  // Dispatches `tasks` (the shard parts of `batch`, holding
  // batch->admitted_events events) now or once the budget allows; runs
  // `accepted` (may be empty) right after dispatching.
  void Admit(PendingBatch* batch, std::vector<ShardTask> tasks,
             std::function<void()> accepted);
  // A batch's `events` are durable and acknowledged: frees their budget and
  // dispatches the waiters that now fit.
  void Release(int64_t events);
  // Waits until nothing waits and nothing is in flight, or `timeout`.
  void Drain(absl::Duration timeout);

 private:
  struct Waiter {
    PendingBatch* batch;
    std::vector<ShardTask> tasks;
    std::function<void()> accepted;
  };
  const int64_t max_inflight_;
  const std::function<void(std::vector<ShardTask>&)> dispatch_;
  absl::Mutex mu_;
  int64_t inflight_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_ADMISSION_H_
