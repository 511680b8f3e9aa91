// ShardFeeder: recovery work for the shards, done by one thread per shard
// while the caller keeps reading the store.
//
// Loading a million shop checkpoints is mostly parsing (ShopState::Parse)
// and hash-table inserts, and each shard's share touches only that shard.
// The caller (one thread scanning RocksDB) hands each item to its shard with
// Add; items are passed on in chunks, and each shard's thread runs `apply`
// on them in the order they were added. Queues are bounded, so the scan
// waits for a slow shard instead of buffering the whole store.
//
//   ShardFeeder<Raw> feeder(n, 512, [&](int shard, Raw& raw) {
//     return shards[shard]->LoadShop(raw.key, raw.value);
//   });
//   scan: feeder.Add(h % n, Raw{...});   // false once an apply failed
//   absl::Status s = feeder.Finish();    // waits; the first error
//
// Add and Finish are for one caller thread; `apply` runs on the feeder's
// threads (one per shard, so never twice at once for the same shard).
#ifndef DEPOSITD_DAEMON_SHARD_FEEDER_H_
#define DEPOSITD_DAEMON_SHARD_FEEDER_H_

#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace depositd::daemon {

template <typename Item>
class ShardFeeder {
 public:
  static constexpr size_t kMaxQueued = 8;  // chunks waiting per shard

  // `chunk`: items per hand-over (small items: hundreds; large ones: 1).
  ShardFeeder(int shards, size_t chunk,
              std::function<absl::Status(int, Item&)> apply)
      : chunk_(chunk < 1 ? 1 : chunk), apply_(std::move(apply)) {
    lanes_.reserve(shards);
    for (int i = 0; i < shards; ++i) {
      lanes_.push_back(std::make_unique<Lane>());
    }
    for (int i = 0; i < shards; ++i) {
      lanes_[i]->thread = std::thread([this, i] { Run(i); });
    }
  }

  ~ShardFeeder() { (void)Finish(); }

  ShardFeeder(const ShardFeeder&) = delete;
  ShardFeeder& operator=(const ShardFeeder&) = delete;

  // Queues `item` for `shard`. False once any apply has failed (stop
  // adding; Finish returns the error).
  bool Add(int shard, Item item) {
    Lane& lane = *lanes_[shard];
    lane.filling.push_back(std::move(item));
    if (lane.filling.size() >= chunk_) Flush(lane);
    absl::MutexLock lock(&mu_);
    return error_.ok();
  }

  // Hands over what is left, waits for every shard's thread, and returns
  // the first error of any apply (OK when all succeeded). Idempotent.
  absl::Status Finish() {
    if (!finished_) {
      finished_ = true;
      for (auto& lane : lanes_) {
        Flush(*lane);
        absl::MutexLock lock(&lane->mu);
        lane->closed = true;
      }
      for (auto& lane : lanes_) {
        if (lane->thread.joinable()) lane->thread.join();
      }
    }
    absl::MutexLock lock(&mu_);
    return error_;
  }

 private:
  struct Lane {
    std::vector<Item> filling;  // caller thread only
    absl::Mutex mu;
    std::deque<std::vector<Item>> queue ABSL_GUARDED_BY(mu);
    bool closed ABSL_GUARDED_BY(mu) = false;
    std::thread thread;
  };

  void Flush(Lane& lane) {
    if (lane.filling.empty()) return;
    absl::MutexLock lock(&lane.mu);
    auto room = [](Lane* l) ABSL_EXCLUSIVE_LOCKS_REQUIRED(l->mu) {
      return l->queue.size() < kMaxQueued;
    };
    lane.mu.Await(absl::Condition(+room, &lane));
    lane.queue.push_back(std::move(lane.filling));
    lane.filling = std::vector<Item>();
    lane.filling.reserve(chunk_);
  }

  void Run(int shard) {
    Lane& lane = *lanes_[shard];
    bool failed = false;
    for (;;) {
      std::vector<Item> chunk;
      {
        absl::MutexLock lock(&lane.mu);
        auto ready = [](Lane* l) ABSL_EXCLUSIVE_LOCKS_REQUIRED(l->mu) {
          return !l->queue.empty() || l->closed;
        };
        lane.mu.Await(absl::Condition(+ready, &lane));
        if (lane.queue.empty()) return;  // closed and drained
        chunk = std::move(lane.queue.front());
        lane.queue.pop_front();
      }
      if (failed) continue;  // drain so the caller never blocks
      for (Item& item : chunk) {
        absl::Status s = apply_(shard, item);
        if (!s.ok()) {
          absl::MutexLock lock(&mu_);
          if (error_.ok()) error_ = std::move(s);
          failed = true;
          break;
        }
      }
    }
  }

  const size_t chunk_;
  const std::function<absl::Status(int, Item&)> apply_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  bool finished_ = false;
  absl::Mutex mu_;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SHARD_FEEDER_H_
