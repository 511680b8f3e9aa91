#include "daemon/checkpoint_round.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "daemon/store_keys.h"
#include "depositd/store/v1/checkpoint.pb.h"

namespace depositd::daemon {

size_t AppendShopCheckpoint(
    ShardState& s, ShopEntry& e, uint64_t covered_seq,
    std::vector<std::pair<std::string, std::string>>* puts) {
  s.Live(&e);  // dirty shops are live (MarkDirty); this is a guard
  store::v1::ShopCheckpoint cp;
  cp.set_state(e.state.SerializeHead());
  for (const v1::Alert& a : e.alerts.active()) *cp.add_active_alerts() = a;
  if (e.next_check != kNoDeadline) cp.set_next_check_nanos(e.next_check);
  if (e.feed) {
    cp.set_feed(true);
    cp.set_feed_heard_nanos(e.feed_heard);
  }
  cp.set_covered_seq(covered_seq);
  puts->emplace_back(std::string(e.key), cp.SerializeAsString());
  size_t bytes = puts->back().second.size();
  for (uint32_t page : e.state.TakeDirtyPages()) {
    puts->emplace_back(PageKey(e.key, page), e.state.SerializePage(page));
    bytes += puts->back().second.size();
  }
  return bytes;
}

namespace {

// Every group of this shard so far is applied, and its next one will take
// a larger number than the counter holds now.
uint64_t CoveredSeq(const ShardState& s) { return s.ctx.group_seq->load(); }

}  // namespace

void CheckpointRound::Request(std::function<void()> on_durable) {
  requested_ = true;
  if (on_durable) next_waiters_.push_back(std::move(on_durable));
}

size_t CheckpointRound::TakeDedupePiece(CommitItem& ck) {
  absl::Time max_seen;
  std::string bucket =
      s_.dedupe.TakeSealedPiece(kCheckpointSliceBytes / 16, &max_seen);
  if (bucket.empty()) return 0;
  const size_t bytes = bucket.size();
  const uint64_t number = s_.ctx.next_bucket->fetch_add(1);
  ck.dedupe_puts.emplace_back(number, std::move(bucket));
  s_.owned_buckets.emplace_back(number, max_seen);
  return bytes;
}

void CheckpointRound::SealDedupe(absl::Time now, CommitItem& ck,
                                 bool take_all) {
  s_.dedupe.Seal();
  while (take_all && TakeDedupePiece(ck) > 0) {
  }
  const absl::Time cutoff = now - s_.ctx.dedupe_window;
  s_.dedupe.ExpireBefore(cutoff);
  auto& owned = s_.owned_buckets;
  auto it = std::remove_if(owned.begin(), owned.end(),
                           [&](const std::pair<uint64_t, absl::Time>& b) {
                             if (b.second < cutoff) {
                               ck.dedupe_deletes.push_back(b.first);
                               return true;
                             }
                             return false;
                           });
  owned.erase(it, owned.end());
}

void CheckpointRound::RecordRound(int64_t started_nanos, size_t bytes) {
  ShardMetrics* m = s_.ctx.metrics;
  if (m == nullptr) return;
  m->checkpoint_round_seconds.Observe(
      static_cast<double>(MonotonicNanos() - started_nanos) * 1e-9);
  m->checkpoint_round_bytes.Observe(static_cast<double>(bytes));
}

CommitItem CheckpointRound::Start(absl::Time now) {
  requested_ = false;
  round_started_nanos_ = MonotonicNanos();
  round_bytes_ = 0;
  CommitItem mark;
  mark.shard = s_.id;
  mark.cut_mark = true;
  SealDedupe(now, mark, /*take_all=*/false);  // taken by the slices
  pending_.swap(s_.dirty);
  s_.dirty.clear();
  next_ = 0;
  slices_ = 0;
  waiters_ = std::move(next_waiters_);
  next_waiters_.clear();
  if (pending_.empty() && !s_.dedupe.has_untaken()) {
    // Nothing changed since the last round: the cut moves at once.
    mark.cut_commit = true;
    for (auto& fn : waiters_) mark.on_durable.push_back(std::move(fn));
    waiters_.clear();
    RecordRound(round_started_nanos_, 0);
  } else {
    active_ = true;
  }
  return mark;
}

bool CheckpointRound::SliceDue() const {
  return active_ && !slice_in_flight_.load(std::memory_order_relaxed) &&
         (!s_.ctx.checkpoint_slice_gate ||
          s_.ctx.checkpoint_slice_gate(s_.id, slices_));
}

void CheckpointRound::Slice(CommitItem& item) {
  const absl::Time start = absl::Now();
  ++slices_;
  size_t bytes = 0;
  size_t shops = 0;
  // The round's dedupe ids first, then its shops.
  while (bytes < kCheckpointSliceBytes && s_.dedupe.has_untaken()) {
    bytes += TakeDedupePiece(item);
  }
  const int slice_shops = s_.ctx.checkpoint_slice_shops;
  while (bytes < kCheckpointSliceBytes && next_ < pending_.size()) {
    ShopEntry* e = pending_[next_++];
    if (!e->dirty) continue;
    bytes += AppendShopCheckpoint(s_, *e, CoveredSeq(s_), &item.shop_puts);
    e->dirty = false;
    ++shops;
    if (bytes >= kCheckpointSliceBytes ||
        (slice_shops > 0 && shops >= static_cast<size_t>(slice_shops)) ||
        absl::Now() - start >= kCheckpointSliceTime) {
      break;
    }
  }
  last_slice_ = absl::Now();
  round_bytes_ += bytes;
  if (!item.shop_puts.empty() || !item.dedupe_puts.empty()) {
    // The next slice waits for this one to be durable, so a commit group
    // carries at most one slice per shard.
    slice_in_flight_.store(true, std::memory_order_relaxed);
    item.on_durable.push_back([this] {
      slice_in_flight_.store(false, std::memory_order_relaxed);
      wake_();
    });
  }
  const bool done = next_ >= pending_.size() && !s_.dedupe.has_untaken();
  if (s_.ctx.on_checkpoint_slice_durable) {
    item.on_durable.push_back([this, written = slices_, done] {
      s_.ctx.on_checkpoint_slice_durable(s_.id, written, done);
    });
  }
  if (!done) return;
  RecordRound(round_started_nanos_, round_bytes_);
  item.cut_commit = true;
  for (auto& fn : waiters_) item.on_durable.push_back(std::move(fn));
  waiters_.clear();
  pending_.clear();
  next_ = 0;
  active_ = false;
}

CommitItem CheckpointRound::Full(absl::Time now) {
  const int64_t started = MonotonicNanos();
  size_t bytes = 0;
  CommitItem ck;
  ck.shard = s_.id;
  ck.cut_mark = true;
  ck.cut_commit = true;
  ck.shop_puts.reserve(s_.dirty.size() + (pending_.size() - next_));
  auto put = [&](ShopEntry* e) {
    if (!e->dirty) return;
    bytes += AppendShopCheckpoint(s_, *e, CoveredSeq(s_), &ck.shop_puts);
    e->dirty = false;
  };
  for (size_t i = next_; i < pending_.size(); ++i) put(pending_[i]);
  for (ShopEntry* e : s_.dirty) put(e);
  s_.dirty.clear();
  pending_.clear();
  next_ = 0;
  active_ = false;
  for (auto& fn : waiters_) ck.on_durable.push_back(std::move(fn));
  for (auto& fn : next_waiters_) ck.on_durable.push_back(std::move(fn));
  waiters_.clear();
  next_waiters_.clear();
  requested_ = false;
  SealDedupe(now, ck, /*take_all=*/true);
  for (const auto& [number, value] : ck.dedupe_puts) bytes += value.size();
  RecordRound(started, bytes);
  return ck;
}

}  // namespace depositd::daemon
