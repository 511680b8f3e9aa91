#include "daemon/shard.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "daemon/stable_hash.h"
#include "depositd/store/v1/checkpoint.pb.h"
#include "google/protobuf/arena.h"
#include "notifier/finding_text.h"
#include "watchers/wire.h"

namespace depositd::daemon {
namespace {

// Protobuf wire-format helpers for building log records without
// materializing the message (see log.proto: concatenable records).
using watchers::wire::PutVarint;
using watchers::wire::VarintSize;

void PutLengthDelimited(std::string* out, uint8_t tag, absl::string_view s) {
  out->push_back(static_cast<char>(tag));
  PutVarint(out, s.size());
  out->append(s.data(), s.size());
}

// ProcessingGroup field tags.
constexpr uint8_t kGroupAtTag = 0x08;         // 1, varint
constexpr uint8_t kGroupEventTag = 0x12;      // 2, bytes
constexpr uint8_t kGroupFiredTag = 0x1a;      // 3, bytes
constexpr uint8_t kGroupAckTag = 0x22;        // 4, bytes
constexpr uint8_t kGroupHeartbeatTag = 0x2a;  // 5, bytes
constexpr uint8_t kGroupSeqTag = 0x30;        // 6, varint
// ShardPart / LogRecord.
constexpr uint8_t kPartShardTag = 0x08;   // ShardPart.shard
constexpr uint8_t kPartGroupTag = 0x12;   // ShardPart.groups
constexpr uint8_t kRecordPartTag = 0x0a;  // LogRecord.parts

void AppendEvent(std::string* body, const v1::Event& ev) {
  const size_t n = ev.ByteSizeLong();
  body->push_back(static_cast<char>(kGroupEventTag));
  PutVarint(body, n);
  const size_t old = body->size();
  body->resize(old + n);
  ev.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(&(*body)[old]));
}

void AppendFired(std::string* body, const watchers::ShopState& state) {
  std::string ref;
  PutLengthDelimited(&ref, 0x0a, state.tenant());
  PutLengthDelimited(&ref, 0x12, state.shop_id());
  PutLengthDelimited(body, kGroupFiredTag, ref);
}

// Packed shops (shard.h): chunks of varint length + bytes.
void AppendChunk(std::string* out, absl::string_view bytes) {
  PutVarint(out, bytes.size());
  out->append(bytes.data(), bytes.size());
}

bool ReadChunk(absl::string_view* in, absl::string_view* chunk) {
  uint64_t n = 0;
  if (!watchers::wire::ReadVarint(in, &n) || n > in->size()) return false;
  *chunk = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

}  // namespace

std::string PageKey(absl::string_view shop_key, uint32_t page) {
  std::string k;
  k.reserve(shop_key.size() + 5);
  k.append(shop_key.data(), shop_key.size());
  k.push_back('\0');
  for (int shift = 24; shift >= 0; shift -= 8) {
    k.push_back(static_cast<char>((page >> shift) & 0xff));
  }
  return k;
}

std::string ShopKey(absl::string_view tenant, absl::string_view shop_id) {
  std::string k;
  k.reserve(tenant.size() + 1 + shop_id.size());
  k.append(tenant.data(), tenant.size());
  k.push_back('\0');
  k.append(shop_id.data(), shop_id.size());
  return k;
}

Shard::Shard(uint32_t id, Context context) : id_(id), ctx_(context) {}

Shard::~Shard() {
  Join();
  for (size_t b = 0; b < entry_blocks_.size(); ++b) {
    const size_t n = b + 1 == entry_blocks_.size() ? entries_in_last_block_
                                                   : kEntriesPerBlock;
    auto* entries = reinterpret_cast<ShopEntry*>(entry_blocks_[b].get());
    for (size_t i = 0; i < n; ++i) entries[i].~ShopEntry();
  }
}

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
  for (;;) {
    if (round_active_ || pack_active_) {
      // A checkpoint round or packing pass is open: wake for its next
      // slice at the latest.
      absl::MutexLock lock(&mu_);
      auto ready = [](Shard* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
        return !s->queue_.empty() || s->wake_;
      };
      absl::Time until = absl::InfiniteFuture();
      if (SliceDue()) until = last_slice_ + kCheckpointSliceGap;
      if (pack_active_) {
        until = std::min(until, last_pack_ + kCheckpointSliceGap);
      }
      mu_.AwaitWithDeadline(absl::Condition(+ready, this), until);
      wake_ = false;
      tasks.swap(queue_);
    } else {
      absl::MutexLock lock(&mu_);
      next_deadline_ =
          deadlines_.empty() ? kNoDeadline : deadlines_.begin()->first;
      auto ready = [](Shard* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
        return !s->queue_.empty() || s->wake_;
      };
      if (ctx_.clock->is_test() || next_deadline_ == kNoDeadline) {
        mu_.Await(absl::Condition(+ready, this));
      } else {
        mu_.AwaitWithDeadline(absl::Condition(+ready, this),
                              absl::FromUnixNanos(next_deadline_));
      }
      wake_ = false;
      tasks.swap(queue_);
    }
    const bool stop = Step(tasks);
    tasks.clear();
    if (stop) return;
  }
}

bool Shard::Step(std::vector<ShardTask>& tasks) {
  const absl::Time now = ctx_.clock->Now();
  now_nanos_ = absl::ToUnixNanos(now);
  ++step_;
  CommitItem item;
  item.shard = id_;
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
        Heartbeat(task.tenant, task.if_missing, now, /*log=*/true);
        break;
      case ShardTask::kCheckpoint:
        // A round starts at the end of this step (or of the open round).
        round_requested_ = true;
        if (task.on_durable)
          next_waiters_.push_back(std::move(task.on_durable));
        break;
      case ShardTask::kStop:
        stop = true;
        stop_done = std::move(task.on_durable);
        break;
    }
  }
  FinishStep(now, item);
  if (stop && ctx_.checkpoint_on_stop) {
    CommitItem ck = Checkpoint(now);
    if (stop_done) ck.on_durable.push_back(std::move(stop_done));
    ctx_.committer->Push(std::move(ck));
  } else if (!stop && round_requested_ && !round_active_) {
    StartRound(now);
  }
  if (!stop && pack_active_ &&
      absl::Now() >= last_pack_ + kCheckpointSliceGap) {
    PackSlice(now_nanos_);
  }
  UpdateStats();
  return stop;
}

ShopEntry* Shard::FindMutable(absl::string_view tenant,
                              absl::string_view shop_id) {
  key_scratch_.assign(tenant.data(), tenant.size());
  key_scratch_.push_back('\0');
  key_scratch_.append(shop_id.data(), shop_id.size());
  auto it = shops_.find(absl::string_view(key_scratch_));
  return it == shops_.end() ? nullptr : it->second;
}

const ShopEntry* Shard::Find(absl::string_view tenant,
                             absl::string_view shop_id) {
  ShopEntry* e = FindMutable(tenant, shop_id);
  if (e == nullptr) return nullptr;
  e->last_used = absl::ToUnixNanos(ctx_.clock->Now());
  return Live(e);
}

ShopEntry* Shard::Live(ShopEntry* e) {
  if (e->live) return e;
  absl::string_view in = packed_store_.Get(e->packed);
  absl::string_view head;
  absl::StatusOr<watchers::ShopState> state =
      ReadChunk(&in, &head) ? watchers::ShopState::Parse(head)
                            : absl::DataLossError("no head chunk");
  for (uint32_t i = 0; state.ok() && !in.empty(); ++i) {
    absl::string_view bytes;
    absl::Status s = ReadChunk(&in, &bytes)
                         ? state->AddPage(state->PageAt(i), bytes)
                         : absl::DataLossError("truncated page chunk");
    if (!s.ok()) state = s;
  }
  if (!state.ok()) {
    // The bytes were made by this process from a state it held (or read
    // and checked at start-up): this is memory corruption, and going on
    // would apply events to a wrong state. The log and checkpoints on disk
    // are intact; a restart recovers from them.
    std::fprintf(stderr,
                 "depositd: FATAL: packed shop %s does not unpack (%s); "
                 "aborting, restart to recover from the store\n",
                 absl::CEscape(e->key).c_str(),
                 std::string(state.status().message()).c_str());
    std::abort();
  }
  state->ForgetDirtyPages();  // the packed form equals the checkpoint
  e->state = *std::move(state);
  e->live = true;
  --packed_count_;
  return e;
}

bool Shard::Packable(const ShopEntry& e, int64_t now_nanos,
                     bool ignore_idle) const {
  if (!e.live || e.dirty || e.feed) return false;
  if (ignore_idle) return true;
  return ctx_.pack_idle > absl::ZeroDuration() &&
         now_nanos - e.last_used >= absl::ToInt64Nanoseconds(ctx_.pack_idle);
}

bool Shard::Pack(ShopEntry* e) {
  if (e->packed.empty()) {
    std::string bytes;
    AppendChunk(&bytes, e->state.SerializeHead());
    for (uint32_t p : e->state.Pages()) {
      AppendChunk(&bytes, e->state.SerializePage(p));
    }
    const absl::Status put = packed_store_.Put(&e->packed, bytes);
    if (!put.ok()) {
      // The shop stays live: packing only saves memory. One line per pass
      // at most (PackSlice stops the pass).
      std::fprintf(stderr,
                   "depositd: warning: shard %u keeps idle shops "
                   "live: %s\n",
                   id_, put.ToString().c_str());
      return false;
    }
  }
  { watchers::ShopState freed(std::move(e->state)); }
  e->live = false;
  ++packed_count_;
  return true;
}

void Shard::PackSlice(int64_t now_nanos) {
  const absl::Time start = absl::Now();
  packed_store_.Compact(kCompactPerSlice);
  auto it = pack_cursor_.empty() ? ordered_.begin()
                                 : ordered_.upper_bound(pack_cursor_);
  int seen = 0;
  for (; it != ordered_.end(); ++it) {
    ShopEntry* e = it->second;
    if (Packable(*e, now_nanos, /*ignore_idle=*/false) && !Pack(e)) break;
    if (++seen % 64 == 0 && absl::Now() - start >= kPackSliceTime) {
      pack_cursor_.assign(it->first.data(), it->first.size());
      last_pack_ = absl::Now();
      return;
    }
  }
  pack_active_ = false;
  pack_cursor_.clear();
  last_pack_ = absl::Now();
}

int64_t Shard::PackAll(bool ignore_idle) {
  int64_t n = 0;
  for (auto& [k, e] : ordered_) {
    if (Packable(*e, now_nanos_, ignore_idle)) {
      if (!Pack(e)) break;
      ++n;
    }
  }
  UpdateStats();
  return n;
}

ShopEntry* Shard::Insert(absl::string_view key, uint64_t hash,
                         watchers::ShopState state,
                         const watchers::ResolvedProfile* profile,
                         absl::string_view resolved_for) {
  if (key.size() > key_block_size_ - key_block_used_) {
    key_block_size_ = std::max(kKeyBlockBytes, key.size());
    key_blocks_.push_back(std::make_unique<char[]>(key_block_size_));
    key_block_used_ = 0;
  }
  char* key_copy = key_blocks_.back().get() + key_block_used_;
  std::memcpy(key_copy, key.data(), key.size());
  key_block_used_ += key.size();
  if (entries_in_last_block_ == kEntriesPerBlock) {
    entry_blocks_.push_back(std::make_unique<unsigned char[]>(
        kEntriesPerBlock * sizeof(ShopEntry)));
    entries_in_last_block_ = 0;
  }
  void* slot =
      entry_blocks_.back().get() + entries_in_last_block_ * sizeof(ShopEntry);
  ShopEntry* e = new (slot) ShopEntry(absl::string_view(key_copy, key.size()),
                                      hash, std::move(state));
  ++entries_in_last_block_;
  e->profile = profile;
  e->profile_name = std::string(resolved_for);
  shops_.emplace(e->key, e);
  ordered_.emplace(e->key, e);
  return e;
}

void Shard::Touch(ShopEntry* e) {
  e->last_used = now_nanos_;
  if (e->step != step_) {
    e->step = step_;
    touched_.push_back(e);
  }
  MarkDirty(e);
}

void Shard::MarkDirty(ShopEntry* e) {
  if (!e->dirty) {
    Live(e);
    packed_store_.Free(&e->packed);
    e->dirty = true;
    dirty_.push_back(e);
  }
}

void Shard::ReResolveProfile(ShopEntry* e) {
  if (e->state.profile_name() == e->profile_name) return;
  absl::StatusOr<const watchers::ResolvedProfile*> p = ctx_.registry->Resolve(
      e->state.tenant(), e->state.shop_id(), e->state.profile_name());
  if (p.ok()) {
    e->profile = *p;
    e->profile_name = e->state.profile_name();
  }
}

void Shard::IngestTask(ShardTask& task, absl::Time now, CommitItem& item) {
  PendingBatch* batch = task.batch;
  for (IndexedEvent& ie : task.events) {
    const v1::Event& ev = *ie.event;
    v1::EventResult* result = batch->ack.mutable_results(ie.index);
    const DedupeKey dk{ie.shop_hash, EventIdHash(ie.shop_hash, ev.event_id())};
    if (dedupe_.Contains(dk)) {
      result->set_outcome(v1::DUPLICATE);
      continue;
    }
    ShopEntry* e = FindMutable(ev.tenant(), ev.shop_id());
    // Engine::Ingest ran ValidateEvent on every event of a kIngest task.
    absl::Status s;
    if (e != nullptr) {
      s = Live(e)->state.ApplyValidated(ev, *e->profile);
    } else {
      absl::StatusOr<const watchers::ResolvedProfile*> profile =
          ctx_.registry->Resolve(ev.tenant(), ev.shop_id(), "");
      if (!profile.ok()) {
        s = profile.status();
      } else {
        watchers::ShopState state(ev.tenant(), ev.shop_id());
        s = state.ApplyValidated(ev, **profile);
        if (s.ok()) {
          e = Insert(ShopKey(ev.tenant(), ev.shop_id()), ie.shop_hash,
                     std::move(state), *profile, "");
        }
      }
    }
    if (!s.ok()) {
      result->set_outcome(v1::REJECTED);
      result->set_reason(std::string(s.message()));
      continue;
    }
    if (ev.body_case() == v1::Event::kShopRegistered) ReResolveProfile(e);
    result->set_outcome(v1::APPLIED);
    dedupe_.Insert(dk, now);
    AppendEvent(&record_body_, ev);
    ++item.events_logged;
    Touch(e);
  }
  for (const std::string& tenant : task.heartbeats) {
    Heartbeat(tenant, /*if_missing=*/false, now, /*log=*/true);
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
  const v1::AlertKey& key = task.ack.key();
  ShopEntry* e = FindMutable(key.tenant(), key.shop_id());
  absl::StatusOr<std::optional<v1::Alert>> r =
      e != nullptr
          ? e->alerts.Acknowledge(key, task.ack.by(), now)
          : absl::NotFoundError(absl::StrCat(
                "no alert is firing for tenant \"", key.tenant(), "\" shop \"",
                key.shop_id(),
                "\": depositd has no such shop; list the firing alerts "
                "with Alerts.List"));
  if (!r.ok()) {
    task.ack_done(r.status());
    return;
  }
  if (!r->has_value()) {  // already acknowledged
    task.ack_done(absl::OkStatus());
    return;
  }
  PutLengthDelimited(&record_body_, kGroupAckTag, task.ack.SerializeAsString());
  item.alerts.push_back(std::move(**r));
  Touch(e);  // its next repeat changed
  item.on_durable.push_back(
      [done = std::move(task.ack_done)] { done(absl::OkStatus()); });
}

bool Shard::Heartbeat(const std::string& tenant, bool if_missing,
                      absl::Time now, bool log) {
  ShopEntry* e = FindMutable(tenant, "");
  if (e == nullptr) {
    absl::StatusOr<const watchers::ResolvedProfile*> profile =
        ctx_.registry->Resolve(tenant, "", "");
    if (!profile.ok()) return false;
    e = Insert(ShopKey(tenant, ""), ShopHash(tenant, ""),
               watchers::ShopState(tenant, ""), *profile, "");
    e->feed = true;
  } else if (if_missing || !e->feed) {
    return false;
  }
  e->feed_heard = absl::ToUnixNanos(now);
  if (log) PutLengthDelimited(&record_body_, kGroupHeartbeatTag, tenant);
  Touch(e);
  return true;
}

void Shard::Schedule(ShopEntry* e, absl::Time next_check, absl::Time now) {
  int64_t next = kNoDeadline;
  if (next_check != absl::InfiniteFuture()) {
    // A watcher asking to look again at or before now would spin; look a
    // second later instead.
    if (next_check <= now) next_check = now + absl::Seconds(1);
    next = absl::ToUnixNanos(next_check);
  }
  if (next == e->next_check) return;
  if (e->next_check != kNoDeadline) deadlines_.erase({e->next_check, e});
  e->next_check = next;
  if (next != kNoDeadline) deadlines_.insert({next, e});
}

void Shard::CheckShops(absl::Time now, std::vector<v1::Alert>* transitions,
                       std::string* fired_body) {
  auto check = [&](ShopEntry* e, bool fired) {
    watchers::WatchResult r;
    if (e->feed) {
      const absl::Duration silence = ctx_.feed_silence
                                         ? ctx_.feed_silence(e->state.tenant())
                                         : absl::ZeroDuration();
      r = watchers::CheckFeedSilence(
          e->state.tenant(), absl::FromUnixNanos(e->feed_heard), silence, now);
    } else {
      r = ctx_.watchers->CheckAll(Live(e)->state, *e->profile, now);
    }
    // The watchers' findings carry no text: word them in the tenant's
    // language before the book compares them (a change of words updates).
    notifier::WordFindings(notifier::WordingFor(*e->profile, now), &r.findings);
    std::vector<v1::Alert> t =
        e->alerts.Update(std::move(r.findings), now, ctx_.repeat);
    if (!t.empty()) {
      MarkDirty(e);
      if (fired && fired_body != nullptr) AppendFired(fired_body, e->state);
      if (transitions != nullptr) {
        for (v1::Alert& a : t) transitions->push_back(std::move(a));
      }
    }
    Schedule(e, std::min(r.next_check, e->alerts.NextRepeat(ctx_.repeat)), now);
  };
  for (ShopEntry* e : touched_) check(e, false);
  for (ShopEntry* e : fired_) check(e, true);
  touched_.clear();
  fired_.clear();
}

void Shard::FinishStep(absl::Time now, CommitItem& item) {
  const int64_t now_nanos = absl::ToUnixNanos(now);
  while (!deadlines_.empty() && deadlines_.begin()->first <= now_nanos) {
    ShopEntry* e = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    e->next_check = kNoDeadline;
    if (e->step != step_) {
      e->step = step_;
      fired_.push_back(e);
    }
  }
  std::string fired_body;
  CheckShops(now, &item.alerts, &fired_body);
  record_body_.append(fired_body);

  if (!record_body_.empty()) {
    // ProcessingGroup = at + seq + events + fired; wrap it in ShardPart and
    // LogRecord headers (the body is not copied).
    const uint64_t seq = ctx_.group_seq->fetch_add(1) + 1;
    std::string at;
    at.push_back(static_cast<char>(kGroupAtTag));
    PutVarint(&at, static_cast<uint64_t>(now_nanos));
    at.push_back(static_cast<char>(kGroupSeqTag));
    PutVarint(&at, seq);
    const size_t group_len = at.size() + record_body_.size();
    const size_t part_len =
        1 + VarintSize(id_) + 1 + VarintSize(group_len) + group_len;
    std::string head;
    head.push_back(static_cast<char>(kRecordPartTag));
    PutVarint(&head, part_len);
    head.push_back(static_cast<char>(kPartShardTag));
    PutVarint(&head, id_);
    head.push_back(static_cast<char>(kPartGroupTag));
    PutVarint(&head, group_len);
    head.append(at);
    item.record_head = std::move(head);
    item.record_body = std::move(record_body_);
    record_body_ = std::string();
  }
  if (SliceDue() && absl::Now() >= last_slice_ + kCheckpointSliceGap) {
    CheckpointSlice(item);
  }
  UpdateStats();  // before the acks can go out
  if (!item.record_head.empty() || !item.alerts.empty() ||
      !item.batches.empty() || !item.on_durable.empty() ||
      !item.shop_puts.empty() || item.cut_commit) {
    ctx_.committer->Push(std::move(item));
  }
  item = CommitItem();
  item.shard = id_;
}

size_t Shard::PutEntry(ShopEntry& e,
                       std::vector<std::pair<std::string, std::string>>* puts) {
  Live(&e);  // dirty shops are live (MarkDirty); this is a guard
  store::v1::ShopCheckpoint cp;
  cp.set_state(e.state.SerializeHead());
  for (const v1::Alert& a : e.alerts.active()) *cp.add_active_alerts() = a;
  if (e.next_check != kNoDeadline) cp.set_next_check_nanos(e.next_check);
  if (e.feed) {
    cp.set_feed(true);
    cp.set_feed_heard_nanos(e.feed_heard);
  }
  // Every group of this shard so far is applied, and its next one will take
  // a larger number than the counter holds now.
  cp.set_covered_seq(ctx_.group_seq->load());
  puts->emplace_back(std::string(e.key), cp.SerializeAsString());
  size_t bytes = puts->back().second.size();
  for (uint32_t page : e.state.TakeDirtyPages()) {
    puts->emplace_back(PageKey(e.key, page), e.state.SerializePage(page));
    bytes += puts->back().second.size();
  }
  return bytes;
}

size_t Shard::TakeDedupePiece(CommitItem& ck) {
  absl::Time max_seen;
  std::string bucket =
      dedupe_.TakeSealedPiece(kCheckpointSliceBytes / 16, &max_seen);
  if (bucket.empty()) return 0;
  const size_t bytes = bucket.size();
  const uint64_t number = ctx_.next_bucket->fetch_add(1);
  ck.dedupe_puts.emplace_back(number, std::move(bucket));
  owned_buckets_.emplace_back(number, max_seen);
  return bytes;
}

void Shard::SealDedupe(absl::Time now, CommitItem& ck, bool take_all) {
  dedupe_.Seal();
  while (take_all && TakeDedupePiece(ck) > 0) {
  }
  const absl::Time cutoff = now - ctx_.dedupe_window;
  dedupe_.ExpireBefore(cutoff);
  auto it = std::remove_if(owned_buckets_.begin(), owned_buckets_.end(),
                           [&](const std::pair<uint64_t, absl::Time>& b) {
                             if (b.second < cutoff) {
                               ck.dedupe_deletes.push_back(b.first);
                               return true;
                             }
                             return false;
                           });
  owned_buckets_.erase(it, owned_buckets_.end());
}

void Shard::StartRound(absl::Time now) {
  round_requested_ = false;
  if (!pack_active_ && ctx_.pack_idle > absl::ZeroDuration()) {
    pack_active_ = true;
    pack_cursor_.clear();
  }
  CommitItem mark;
  mark.shard = id_;
  mark.cut_mark = true;
  SealDedupe(now, mark, /*take_all=*/false);  // taken by the slices
  round_pending_.swap(dirty_);
  dirty_.clear();
  round_next_ = 0;
  round_slices_ = 0;
  round_waiters_ = std::move(next_waiters_);
  next_waiters_.clear();
  if (round_pending_.empty() && !dedupe_.has_untaken()) {
    // Nothing changed since the last round: the cut moves at once.
    mark.cut_commit = true;
    for (auto& fn : round_waiters_) mark.on_durable.push_back(std::move(fn));
    round_waiters_.clear();
  } else {
    round_active_ = true;
  }
  ctx_.committer->Push(std::move(mark));
}

bool Shard::SliceDue() const {
  return round_active_ && !slice_in_flight_.load(std::memory_order_relaxed) &&
         (!ctx_.checkpoint_slice_gate ||
          ctx_.checkpoint_slice_gate(id_, round_slices_));
}

void Shard::CheckpointSlice(CommitItem& item) {
  const absl::Time start = absl::Now();
  ++round_slices_;
  size_t bytes = 0;
  size_t shops = 0;
  // The round's dedupe ids first, then its shops.
  while (bytes < kCheckpointSliceBytes && dedupe_.has_untaken()) {
    bytes += TakeDedupePiece(item);
  }
  while (bytes < kCheckpointSliceBytes && round_next_ < round_pending_.size()) {
    ShopEntry* e = round_pending_[round_next_++];
    if (!e->dirty) continue;
    bytes += PutEntry(*e, &item.shop_puts);
    e->dirty = false;
    ++shops;
    if (bytes >= kCheckpointSliceBytes ||
        (ctx_.checkpoint_slice_shops > 0 &&
         shops >= static_cast<size_t>(ctx_.checkpoint_slice_shops)) ||
        absl::Now() - start >= kCheckpointSliceTime) {
      break;
    }
  }
  last_slice_ = absl::Now();
  if (!item.shop_puts.empty() || !item.dedupe_puts.empty()) {
    // The next slice waits for this one to be durable, so a commit group
    // carries at most one slice per shard.
    slice_in_flight_.store(true, std::memory_order_relaxed);
    item.on_durable.push_back([this] {
      slice_in_flight_.store(false, std::memory_order_relaxed);
      Wake();
    });
  }
  const bool done =
      round_next_ >= round_pending_.size() && !dedupe_.has_untaken();
  if (ctx_.on_checkpoint_slice_durable) {
    item.on_durable.push_back([this, written = round_slices_, done] {
      ctx_.on_checkpoint_slice_durable(id_, written, done);
    });
  }
  if (!done) return;
  item.cut_commit = true;
  for (auto& fn : round_waiters_) item.on_durable.push_back(std::move(fn));
  round_waiters_.clear();
  round_pending_.clear();
  round_next_ = 0;
  round_active_ = false;
}

CommitItem Shard::Checkpoint(absl::Time now) {
  CommitItem ck;
  ck.shard = id_;
  ck.cut_mark = true;
  ck.cut_commit = true;
  ck.shop_puts.reserve(dirty_.size() + (round_pending_.size() - round_next_));
  auto put = [&](ShopEntry* e) {
    if (!e->dirty) return;
    PutEntry(*e, &ck.shop_puts);
    e->dirty = false;
  };
  for (size_t i = round_next_; i < round_pending_.size(); ++i) {
    put(round_pending_[i]);
  }
  for (ShopEntry* e : dirty_) put(e);
  dirty_.clear();
  round_pending_.clear();
  round_next_ = 0;
  round_active_ = false;
  for (auto& fn : round_waiters_) ck.on_durable.push_back(std::move(fn));
  for (auto& fn : next_waiters_) ck.on_durable.push_back(std::move(fn));
  round_waiters_.clear();
  next_waiters_.clear();
  round_requested_ = false;
  SealDedupe(now, ck, /*take_all=*/true);
  UpdateStats();
  return ck;
}

absl::Status Shard::LoadShop(absl::string_view key, absl::string_view bytes) {
  google::protobuf::Arena arena;
  store::v1::ShopCheckpoint& cp =
      *google::protobuf::Arena::CreateMessage<store::v1::ShopCheckpoint>(
          &arena);
  if (!cp.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("corrupt shop checkpoint");
  }
  absl::StatusOr<watchers::ShopState> state =
      watchers::ShopState::Parse(cp.state());
  if (!state.ok()) return state.status();
  const uint64_t hash = ShopHash(state->tenant(), state->shop_id());
  absl::StatusOr<const watchers::ResolvedProfile*> profile =
      ctx_.registry->Resolve(state->tenant(), state->shop_id(),
                             state->profile_name());
  std::string resolved_for = state->profile_name();
  if (!profile.ok()) {
    resolved_for.clear();
    std::fprintf(stderr,
                 "depositd: shop %s/%s uses profile \"%s\", which the "
                 "configuration no longer defines; using generic\n",
                 state->tenant().c_str(), state->shop_id().c_str(),
                 state->profile_name().c_str());
    profile = ctx_.registry->Resolve(state->tenant(), state->shop_id(), "");
    if (!profile.ok()) return profile.status();
  }
  ShopEntry* e = Insert(key, hash, *std::move(state), *profile, resolved_for);
  std::vector<v1::Alert> active(cp.active_alerts().begin(),
                                cp.active_alerts().end());
  e->alerts.Restore(std::move(active));
  e->feed = cp.feed();
  e->feed_heard = cp.feed_heard_nanos();
  e->covered_seq = cp.covered_seq();
  pages_missing_ += e->state.pages_expected();
  max_seq_seen_ = std::max(max_seq_seen_, cp.covered_seq());
  if (cp.next_check_nanos() != 0) {
    e->next_check = cp.next_check_nanos();
    deadlines_.insert({e->next_check, e});
  }
  loading_ = nullptr;
  if (ctx_.pack_idle > absl::ZeroDuration() && !e->feed) {
    // The checkpoint's bytes are the packed form: the head now, its pages
    // as they load (LoadPage); packed once the last one is in.
    loading_bytes_.clear();
    AppendChunk(&loading_bytes_, cp.state());
    loading_ = e;
    loading_page_ = 0;
    if (e->state.pages_expected() == 0) return FinishLoading();
  }
  shop_count_.store(static_cast<int64_t>(shops_.size()));
  return absl::OkStatus();
}

absl::Status Shard::LoadPage(absl::string_view key, uint32_t page,
                             absl::string_view bytes) {
  auto it = shops_.find(key);
  if (it == shops_.end()) {
    return absl::DataLossError("a page without its shop checkpoint");
  }
  ShopEntry* e = it->second;
  if (!e->live) {
    return absl::DataLossError(
        absl::StrCat("page ", page, " after the shop's last page"));
  }
  watchers::ShopState& state = e->state;
  if (loading_ == e) {
    // Kept packed: checked now, indexed when the shop is first used.
    const uint32_t next = state.PageAt(loading_page_);
    absl::Status s =
        page == next ? state.CheckPage(page, bytes)
                     : absl::DataLossError(absl::StrCat(
                           "page ", page, " arrived instead of page ", next));
    if (!s.ok()) return s;
    --pages_missing_;
    ++loading_page_;
    AppendChunk(&loading_bytes_, bytes);
    if (loading_page_ == state.pages_expected()) return FinishLoading();
    return absl::OkStatus();
  }
  absl::Status s = state.AddPage(page, bytes);
  if (!s.ok()) return s;
  state.ForgetDirtyPages();  // it is on disk
  --pages_missing_;
  return absl::OkStatus();
}

absl::Status Shard::FinishLoading() {
  absl::Status put = packed_store_.Put(&loading_->packed, loading_bytes_);
  if (!put.ok()) return put;
  Pack(loading_);  // has its bytes: cannot fail
  loading_ = nullptr;
  loading_bytes_.clear();
  return absl::OkStatus();
}

absl::Status Shard::CheckLoaded() const {
  if (pages_missing_ == 0) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      pages_missing_, " pages announced by shop checkpoints are missing"));
}

void Shard::LoadDedupe(absl::Time max_seen,
                       const std::vector<DedupeKey>& keys) {
  dedupe_.AddSealed(max_seen, keys);
  UpdateStats();
}

void Shard::AdoptBucket(uint64_t number, absl::Time max_seen) {
  owned_buckets_.emplace_back(number, max_seen);
}

void Shard::ReplayGroup(absl::Time at, const ReplayInput& in) {
  ++step_;
  now_nanos_ = absl::ToUnixNanos(at);
  max_seq_seen_ = std::max(max_seq_seen_, in.seq);
  // The shop's checkpoint was written after this group (a later slice of
  // the round): its share of the group is already in the state.
  auto covered = [&](const ShopEntry* e) {
    return e != nullptr && in.seq != 0 && e->covered_seq >= in.seq;
  };
  for (const v1::Event* ev : in.events) {
    const uint64_t hash = ShopHash(ev->tenant(), ev->shop_id());
    ShopEntry* e = FindMutable(ev->tenant(), ev->shop_id());
    if (covered(e)) {
      dedupe_.Insert(DedupeKey{hash, EventIdHash(hash, ev->event_id())}, at);
      ++skipped_events_;
      continue;
    }
    absl::Status s;
    if (e != nullptr) {
      s = Live(e)->state.Apply(*ev, *e->profile);
    } else {
      absl::StatusOr<const watchers::ResolvedProfile*> profile =
          ctx_.registry->Resolve(ev->tenant(), ev->shop_id(), "");
      if (profile.ok()) {
        watchers::ShopState state(ev->tenant(), ev->shop_id());
        s = state.Apply(*ev, **profile);
        if (s.ok()) {
          e = Insert(ShopKey(ev->tenant(), ev->shop_id()), hash,
                     std::move(state), *profile, "");
        }
      } else {
        s = profile.status();
      }
    }
    if (!s.ok()) {
      std::fprintf(stderr,
                   "depositd: warning: replay of logged event %s (shop "
                   "%s/%s) was rejected: %s\n",
                   ev->event_id().c_str(), ev->tenant().c_str(),
                   ev->shop_id().c_str(), std::string(s.message()).c_str());
      continue;
    }
    if (ev->body_case() == v1::Event::kShopRegistered) ReResolveProfile(e);
    dedupe_.Insert(DedupeKey{hash, EventIdHash(hash, ev->event_id())}, at);
    ++replayed_events_;
    Touch(e);
  }
  for (const std::string* tenant : in.heartbeats) {
    if (covered(FindMutable(*tenant, ""))) continue;
    Heartbeat(*tenant, /*if_missing=*/false, at, /*log=*/false);
  }
  for (const store::v1::AlertAck* ack : in.acks) {
    ShopEntry* e = FindMutable(ack->key().tenant(), ack->key().shop_id());
    if (e == nullptr || covered(e)) continue;
    if (e->alerts.Acknowledge(ack->key(), ack->by(), at).ok()) Touch(e);
  }
  for (const store::v1::ShopRef* ref : in.fired) {
    ShopEntry* e = FindMutable(ref->tenant(), ref->shop_id());
    if (e == nullptr || covered(e) || e->step == step_) continue;
    e->step = step_;
    fired_.push_back(e);
  }
  CheckShops(at, nullptr, nullptr);
  UpdateStats();
}

void Shard::ScanFrom(absl::string_view after,
                     const std::function<bool(const ShopEntry&)>& fn) {
  for (auto it = ordered_.upper_bound(after); it != ordered_.end(); ++it) {
    ShopEntry* e = it->second;
    if (e->feed) continue;
    const bool was_packed = !e->live;
    const bool more = fn(*Live(e));
    if (was_packed) Pack(e);  // its packed bytes are kept: no serializing
    if (!more) return;
  }
}

std::vector<v1::Alert> Shard::FiringAlerts() const {
  std::vector<v1::Alert> out;
  for (const auto& [k, e] : ordered_) {
    for (const v1::Alert& a : e->alerts.active()) out.push_back(a);
  }
  return out;
}

void Shard::UpdateStats() {
  shop_count_.store(static_cast<int64_t>(shops_.size()),
                    std::memory_order_relaxed);
  pending_deadlines_.store(static_cast<int64_t>(deadlines_.size()),
                           std::memory_order_relaxed);
  dedupe_ids_.store(static_cast<int64_t>(dedupe_.size()),
                    std::memory_order_relaxed);
  packed_shops_.store(packed_count_, std::memory_order_relaxed);
}

}  // namespace depositd::daemon
