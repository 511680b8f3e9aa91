#include "daemon/shard.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include "absl/time/clock.h"
#include "daemon/committer.h"
#include "daemon/config_change.h"
#include "daemon/event_apply.h"
#include "daemon/shop_checks.h"

namespace depositd::daemon {
namespace {

// A monotonic tick, never 0 (0 means "waiting").
int64_t SteadyNanos() {
  const int64_t n = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count();
  return n == 0 ? 1 : n;
}

}  // namespace

Shard::Shard(uint32_t id, Context context)
    : state_(id, std::move(context)),
      round_(&state_, [this] { Wake(); }),
      loader_(&state_) {}

Shard::~Shard() { Join(); }

void Shard::Push(ShardTask task) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(task));
}

void Shard::Wake() {
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

void Shard::Start() {
  // The first step runs at once, whatever the clock: it fires the deadlines
  // that passed while the daemon was down.
  Wake();
  thread_ = std::thread([this] { Run(); });
}

void Shard::Join() {
  if (thread_.joinable()) thread_.join();
}

void Shard::Run() {
  std::vector<ShardTask> tasks;
  const PackedShops& packed = state_.packed;
  for (;;) {
    const bool index_work = state_.index.has_work(state_.ctx.clock->Now());
    if (round_.active() || packed.pass_active() || index_work) {
      // A checkpoint round, packing pass or index refresh is open: wake for
      // its next slice at the latest.
      absl::MutexLock lock(&mu_);
      auto ready = [](Shard* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
        return !s->queue_.empty() || s->wake_;
      };
      absl::Time until = absl::InfiniteFuture();
      if (round_.SliceDue()) until = round_.next_slice();
      if (packed.pass_active()) {
        until = std::min(until, packed.next_slice(kCheckpointSliceGap));
      }
      if (index_work) {
        until = std::min(until, last_index_slice_ + kCheckpointSliceGap);
      }
      mu_.AwaitWithDeadline(absl::Condition(+ready, this), until);
      wake_ = false;
      tasks.swap(queue_);
    } else {
      absl::MutexLock lock(&mu_);
      next_deadline_ = state_.deadlines.empty()
                           ? kNoDeadline
                           : state_.deadlines.begin()->first;
      auto ready = [](Shard* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
        return !s->queue_.empty() || s->wake_;
      };
      if (state_.ctx.clock->is_test() || next_deadline_ == kNoDeadline) {
        mu_.Await(absl::Condition(+ready, this));
      } else {
        mu_.AwaitWithDeadline(absl::Condition(+ready, this),
                              absl::FromUnixNanos(next_deadline_));
      }
      wake_ = false;
      tasks.swap(queue_);
    }
    step_started_.store(SteadyNanos(), std::memory_order_relaxed);
    const bool stop = Step(tasks);
    tasks.clear();
    step_started_.store(0, std::memory_order_relaxed);
    if (stop) return;
  }
}

bool Shard::Step(std::vector<ShardTask>& tasks) {
  const absl::Time now = state_.ctx.clock->Now();
  state_.BeginStep(now);
  CommitItem item;
  item.shard = state_.id;
  bool stop = false;
  std::function<void()> stop_done;
  for (ShardTask& task : tasks) {
    switch (task.kind) {
      case ShardTask::kIngest:
        IngestTask(task, now, item);
        break;
      case ShardTask::kQuery:
        task.query(*this);
        break;
      case ShardTask::kBarrier:
        item.on_durable.push_back(std::move(task.on_durable));
        break;
      case ShardTask::kAck:
        AckTask(task, now, item);
        break;
      case ShardTask::kHeartbeat:
        ApplyHeartbeat(state_, task.tenant, task.if_missing, now,
                       &state_.record);
        break;
      case ShardTask::kConfig:
        ConfigTask(task, now, item);
        break;
      case ShardTask::kCheckpoint:
        // A round starts at the end of this step (or of the open round).
        round_.Request(std::move(task.on_durable));
        break;
      case ShardTask::kStop:
        stop = true;
        stop_done = std::move(task.on_durable);
        break;
    }
  }
  FinishStep(now, item);
  if (stop && state_.ctx.checkpoint_on_stop) {
    CommitItem ck = Checkpoint(now);
    if (stop_done) ck.on_durable.push_back(std::move(stop_done));
    state_.ctx.committer->Push(std::move(ck));
  } else if (!stop && round_.requested() && !round_.active()) {
    StartRound(now);
  }
  PackedShops& packed = state_.packed;
  if (!stop && packed.pass_active() &&
      absl::Now() >= packed.next_slice(kCheckpointSliceGap)) {
    packed.Slice(state_.shops, state_.now_nanos);
  }
  // The index's stale verdicts, a slice at a time (shop_index.h).
  if (!stop && absl::Now() >= last_index_slice_ + kCheckpointSliceGap &&
      state_.index.has_work(now)) {
    state_.index.Refresh(now, kIndexSliceTime);
    last_index_slice_ = absl::Now();
  }
  UpdateStats();
  return stop;
}

const ShopEntry* Shard::Find(absl::string_view tenant,
                             absl::string_view shop_id) {
  ShopEntry* e = state_.shops.Find(tenant, shop_id);
  if (e == nullptr) return nullptr;
  e->last_used = absl::ToUnixNanos(state_.ctx.clock->Now());
  return state_.Live(e);
}

int64_t Shard::PackAll(bool ignore_idle) {
  const int64_t n =
      state_.packed.PackAll(state_.shops, state_.now_nanos, ignore_idle);
  UpdateStats();
  return n;
}

void Shard::IngestTask(ShardTask& task, absl::Time now, CommitItem& item) {
  PendingBatch* batch = task.batch;
  for (IndexedEvent& ie : task.events) {
    const v1::Event& ev = *ie.event;
    v1::EventResult* result = batch->ack.mutable_results(ie.index);
    // Engine::Ingest ran ValidateEvent on every event of a kIngest task.
    absl::Status rejection;
    switch (ApplyEvent(state_, ev, ie.shop_hash, now, ApplyMode::kLive,
                       /*group_seq=*/0, &rejection)) {
      case EventOutcome::kApplied:
        result->set_outcome(v1::APPLIED);
        state_.record.AddEvent(ev);
        ++item.events_logged;
        break;
      case EventOutcome::kDuplicate:
        result->set_outcome(v1::DUPLICATE);
        break;
      case EventOutcome::kRejected:
        result->set_outcome(v1::REJECTED);
        result->set_reason(std::string(rejection.message()));
        break;
      case EventOutcome::kCovered:  // replay only
        break;
    }
  }
  for (const std::string& tenant : task.heartbeats) {
    ApplyHeartbeat(state_, tenant, /*if_missing=*/false, now, &state_.record);
  }
  task.events.clear();
  if (batch->parts_unapplied.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    batch->batch = nullptr;
    batch->heap.reset();
    batch->arena.reset();
  }
  item.batches.push_back(batch);
}

void Shard::AckTask(ShardTask& task, absl::Time now, CommitItem& item) {
  ShopEntry* e = nullptr;
  absl::StatusOr<std::optional<v1::Alert>> r =
      ApplyAck(state_, task.ack, now, &e);
  if (!r.ok()) {
    task.ack_done(r.status());
    return;
  }
  if (!r->has_value()) {  // already acknowledged
    task.ack_done(absl::OkStatus());
    return;
  }
  state_.record.AddAck(task.ack);
  item.alerts.push_back(std::move(**r));
  state_.Touch(e);  // its next repeat changed
  item.on_durable.push_back(
      [done = std::move(task.ack_done)] { done(absl::OkStatus()); });
}

void Shard::ConfigTask(ShardTask& task, absl::Time now, CommitItem& item) {
  const RunningConfig* previous = state_.ctx.config;
  if (task.config == previous || previous == nullptr) {
    item.on_durable.push_back(std::move(task.on_durable));
    return;
  }
  // What came before is judged under the old version, in its own group.
  FinishStep(now, item);
  state_.BeginStep(now);
  const int64_t n = ChangeConfig(state_, *previous, *task.config, nullptr);
  if (task.config_shops != nullptr) task.config_shops->fetch_add(n);
  state_.record.AddConfigChange(previous->version);
  item.on_durable.push_back(std::move(task.on_durable));
  FinishStep(now, item);
  state_.BeginStep(now);
}

void Shard::FinishStep(absl::Time now, CommitItem& item) {
  if (ShardMetrics* m = state_.ctx.metrics; m != nullptr) {
    // How late the deadlines this step fires are (engine clock).
    const int64_t now_nanos = absl::ToUnixNanos(now);
    for (auto it = state_.deadlines.begin();
         it != state_.deadlines.end() && it->first <= now_nanos; ++it) {
      m->deadline_lateness_seconds.Observe(
          static_cast<double>(now_nanos - it->first) * 1e-9);
    }
  }
  FireDueDeadlines(state_, now);
  RunShopChecks(state_, now, &item.alerts, &state_.record);
  if (!state_.record.empty()) {
    // No config: a shard built alone (tests), version 0.
    if (state_.ctx.config != nullptr) {
      state_.record.AddConfigVersion(state_.ctx.config->version);
    }
    const uint64_t seq = state_.ctx.group_seq->fetch_add(1) + 1;
    state_.record.Seal(state_.id, absl::ToUnixNanos(now), seq, &item);
  }
  if (round_.SliceDue() && absl::Now() >= round_.next_slice()) {
    round_.Slice(item);
  }
  UpdateStats();  // before the acks can go out
  if (!item.record_head.empty() || !item.alerts.empty() ||
      !item.batches.empty() || !item.on_durable.empty() ||
      !item.shop_puts.empty() || item.cut_commit) {
    state_.ctx.committer->Push(std::move(item));
  }
  item = CommitItem();
  item.shard = state_.id;
}

void Shard::StartRound(absl::Time now) {
  state_.packed.StartPass();
  state_.ctx.committer->Push(round_.Start(now));
}

CommitItem Shard::Checkpoint(absl::Time now) {
  CommitItem ck = round_.Full(now);
  UpdateStats();
  return ck;
}

absl::Status Shard::LoadShop(absl::string_view key, absl::string_view bytes) {
  absl::Status s = loader_.LoadShop(key, bytes);
  if (s.ok()) {
    shop_count_.store(static_cast<int64_t>(state_.shops.size()));
  }
  return s;
}

absl::Status Shard::LoadPage(absl::string_view key, uint32_t page,
                             absl::string_view bytes) {
  return loader_.LoadPage(key, page, bytes);
}

void Shard::LoadDedupe(absl::Time max_seen,
                       const std::vector<DedupeKey>& keys) {
  loader_.LoadDedupe(max_seen, keys);
  UpdateStats();
}

void Shard::ReplayGroup(absl::Time at, const ReplayInput& in) {
  daemon::ReplayGroup(state_, at, in, &replay_counts_);
  UpdateStats();
}

void Shard::ScanFrom(absl::string_view after,
                     const std::function<bool(const ShopEntry&)>& fn) {
  const ShopTable::Ordered& ordered = state_.shops.ordered();
  for (auto it = ordered.upper_bound(after); it != ordered.end(); ++it) {
    ShopEntry* e = it->second;
    if (e->feed) continue;
    const bool was_packed = !e->live;
    const bool more = fn(*state_.Live(e));
    if (was_packed) state_.packed.Pack(e);  // keeps its bytes: no serializing
    if (!more) return;
  }
}

const ShopIndex& Shard::IndexAt(absl::Time now) {
  state_.index.Refresh(now, absl::InfiniteDuration());
  return state_.index;
}

std::vector<v1::Alert> Shard::FiringAlerts() const {
  std::vector<v1::Alert> out;
  for (const auto& [k, e] : state_.shops.ordered()) {
    for (const v1::Alert& a : e->alerts.active()) out.push_back(a);
  }
  return out;
}

absl::Duration Shard::CurrentStepTime() const {
  const int64_t started = step_started_.load(std::memory_order_relaxed);
  if (started == 0) return absl::ZeroDuration();
  return absl::Nanoseconds(std::max<int64_t>(0, SteadyNanos() - started));
}

void Shard::UpdateStats() {
  shop_count_.store(static_cast<int64_t>(state_.shops.size()),
                    std::memory_order_relaxed);
  pending_deadlines_.store(static_cast<int64_t>(state_.deadlines.size()),
                           std::memory_order_relaxed);
  dedupe_ids_.store(static_cast<int64_t>(state_.dedupe.size()),
                    std::memory_order_relaxed);
  packed_shops_.store(state_.packed.count(), std::memory_order_relaxed);
}

}  // namespace depositd::daemon
