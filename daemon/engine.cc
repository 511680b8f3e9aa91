#include "daemon/engine.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "common/timestamps.h"
#include "daemon/admission.h"
#include "daemon/committer.h"
#include "daemon/event_log.h"
#include "daemon/log.h"
#include "daemon/recovery.h"
#include "daemon/request_checks.h"
#include "daemon/shard.h"
#include "daemon/shop_queries.h"
#include "daemon/stable_hash.h"
#include "daemon/store.h"
#include "depositd/store/v1/checkpoint.pb.h"
#include "google/protobuf/arena.h"

namespace depositd::daemon {
Engine::Engine(const Options& options)
    : options_(options),
      admission_(std::make_unique<Admission>(
          options.max_inflight_events, [this](std::vector<ShardTask>& tasks) {
            const int n = static_cast<int>(shards_.size());
            for (ShardTask& t : tasks) shards_[t.shard % n]->Push(std::move(t));
          })) {}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const Options& options) {
  if ((options.registry == nullptr && !options.config.has_value()) ||
      options.clock == nullptr) {
    return absl::InvalidArgumentError(
        "Engine needs a configuration or a registry, and a clock");
  }
  std::unique_ptr<Engine> engine(new Engine(options));
  if (engine->options_.shards <= 0) {
    engine->options_.shards = std::max(1u, std::thread::hardware_concurrency());
  }
  absl::Status s = engine->Recover();
  if (absl::IsDataLoss(s) &&
      !absl::StrContains(s.message(), "has not changed its data")) {
    // A damaged checkpoint, log record or alert entry: say where and what
    // to do (Store::Open already does for damaged RocksDB files).
    return absl::DataLossError(absl::StrCat(
        "data dir ", options.data_dir, " is damaged: ", s.message(), ". ",
        DamagedDataDirAdvice(options.data_dir)));
  }
  if (!s.ok()) return s;
  return engine;
}

Engine::~Engine() { Stop(); }

int Engine::shard_count() const { return static_cast<int>(shards_.size()); }

absl::Status Engine::Recover() {
  const absl::Time started = absl::Now();
  Store::Options so;
  so.dir = options_.data_dir;
  so.test_write_buffer_bytes = options_.store_test_write_buffer_bytes;
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(so);
  if (!store.ok()) return store.status();
  store_ = *std::move(store);
  absl::StatusOr<std::unique_ptr<RocksDbEventLog>> log =
      RocksDbEventLog::Create(store_.get(), options_.sync);
  if (!log.ok()) return log.status();
  log_ = *std::move(log);

  absl::StatusOr<store::v1::CheckpointMeta> read_meta =
      ReadCheckpointMeta(*store_);
  if (!read_meta.ok()) return read_meta.status();
  const store::v1::CheckpointMeta& meta = *read_meta;
  absl::StatusOr<uint64_t> last_alert = LastAlertSequence(*store_);
  if (!last_alert.ok()) return last_alert.status();
  const uint64_t alert_seq = *last_alert;

  // Configuration versions: shards start at the one every shard applied
  // (replay then follows the versions logged).
  std::unique_ptr<RunningConfig> base;
  if (options_.config.has_value()) {
    absl::StatusOr<std::unique_ptr<RunningConfig>> built =
        BuildRunningConfig(*options_.config, 0);
    if (!built.ok()) return built.status();
    base = *std::move(built);
  } else {
    base = std::make_unique<RunningConfig>();
    base->registry = options_.registry;
    base->repeat = options_.repeat;
    base->feed_silence = options_.feed_silence;
  }
  absl::StatusOr<std::unique_ptr<ConfigVersions>> configs =
      ConfigVersions::Load(*store_, std::move(base));
  if (!configs.ok()) return configs.status();
  configs_ = *std::move(configs);
  const RunningConfig* initial = configs_->Get(configs_->applied());
  current_config_.store(initial);

  const int n = options_.shards;
  metrics_ = std::make_unique<EngineMetrics>(n);
  Committer::Options co;
  co.store = store_.get();
  co.log = log_.get();
  co.shard_count = n;
  co.last_alert_sequence = alert_seq;
  co.publish_alerts = [this](std::vector<v1::Alert> alerts) {
    hub_->Publish(std::move(alerts));
  };
  co.on_write_error = [this](const absl::Status& s) { NotifyWriteError(s); };
  co.metrics = metrics_->committer();
  // Cuts are set below, after the replay.
  co.cuts.assign(n, 0);
  Shard::Context ctx;
  ctx.registry = initial->registry;
  ctx.config = initial;
  ctx.watchers = &watchers_;
  ctx.clock = options_.clock;
  ctx.dedupe_window = options_.dedupe_window;
  ctx.next_bucket = &next_bucket_;
  ctx.group_seq = &group_seq_;
  ctx.checkpoint_on_stop = options_.checkpoint_on_stop;
  ctx.checkpoint_slice_shops = options_.checkpoint_slice_shops;
  ctx.checkpoint_slice_gate = options_.checkpoint_slice_gate;
  ctx.on_checkpoint_slice_durable = options_.on_checkpoint_slice_durable;
  ctx.pack_idle = options_.pack_idle;
  if (initial->repeat) ctx.repeat = &initial->repeat;
  ctx.feed_silence = [initial](absl::string_view tenant) {
    return initial->FeedSilence(tenant);
  };

  absl::StatusOr<std::unique_ptr<SilenceRegistry>> silences =
      SilenceRegistry::Load(store_.get(), options_.clock);
  if (!silences.ok()) return silences.status();
  silences_ = *std::move(silences);
  silences_->ReplaceConfigured(initial->silences);

  // 1. Shops and dedupe ids from the checkpoints. The committer pointer is
  // filled in once the committer exists; shards do not push before Start.
  std::vector<std::unique_ptr<Shard>> shards;
  for (int i = 0; i < n; ++i) {
    ctx.metrics = metrics_->shard(i);
    shards.push_back(std::make_unique<Shard>(i, ctx));
  }
  absl::Status loaded = LoadShopCheckpoints(*store_, shards);
  if (!loaded.ok()) return loaded;
  loaded = LoadDedupeBuckets(*store_, shards, &next_bucket_);
  if (!loaded.ok()) return loaded;

  // 2. Replay the log after the cuts.
  absl::StatusOr<int64_t> replayed = ReplayLog(*log_, meta, *configs_, shards);
  if (!replayed.ok()) return replayed.status();
  const int64_t records = *replayed;

  // 3. New groups are numbered after everything seen. After a crash with
  // the same shard numbering as the run that wrote the cuts, they stay: the
  // replayed shops are dirty and the first checkpoint round writes them (a
  // second crash before that replays the same records again). Otherwise a
  // full start-up checkpoint moves every cut to the end of the log in the
  // new numbering. (After a clean stop the log is empty and its positions
  // start again at 1, so old cuts would hide the new records: they must be
  // reset, which costs nothing as no shop is dirty.)
  uint64_t max_seq = 0;
  for (auto& shard : shards) max_seq = std::max(max_seq, shard->max_seq_seen());
  group_seq_ = max_seq;
  const absl::Time now = options_.clock->Now();
  const uint64_t last_pos = log_->LastPosition();
  std::vector<uint64_t> cuts(n, last_pos);
  const bool keep_cuts =
      records > 0 && static_cast<int>(meta.shard_count()) == n &&
      meta.cuts_size() == n &&
      *std::max_element(meta.cuts().begin(), meta.cuts().end()) <= last_pos;
  if (keep_cuts) {
    cuts.assign(meta.cuts().begin(), meta.cuts().end());
  } else {
    absl::Status w = WriteStartupCheckpoint(*store_, *log_, shards, now);
    if (!w.ok()) return w;
  }

  // 4. Wire up and start.
  std::vector<v1::Alert> firing;
  for (auto& shard : shards) {
    std::vector<v1::Alert> a = shard->FiringAlerts();
    firing.insert(firing.end(), std::make_move_iterator(a.begin()),
                  std::make_move_iterator(a.end()));
    recovery_.shops += shard->shop_count();
    recovery_.dedupe_ids += shard->dedupe_ids();
    recovery_.replayed_events += shard->replayed_events();
    recovery_.skipped_events += shard->skipped_events();
  }
  recovery_.firing_alerts = static_cast<int64_t>(firing.size());
  recovery_.replayed_records = records;
  recovery_.log_position = last_pos;
  recovery_.alert_sequence = alert_seq;
  AlertHub::Options ho;
  ho.store = store_.get();
  hub_ = std::make_unique<AlertHub>(ho, alert_seq, std::move(firing));
  co.cuts = cuts;
  committer_ = std::make_unique<Committer>(std::move(co));
  ctx.committer = committer_.get();
  // Shards were built (and loaded) before the committer existed; they push
  // to it only after Start.
  for (auto& shard : shards) shard->SetCommitter(committer_.get());
  shards_ = std::move(shards);
  committer_->Start();
  for (auto& shard : shards_) shard->Start();
  // The configuration given: a new version when it is not the one recorded
  // last. Shards not at it (a new file, or a reload a crash interrupted)
  // move to it now, logged like a reload.
  if (options_.config.has_value()) {
    bool is_new = false;
    absl::StatusOr<const RunningConfig*> target =
        configs_->Record(*store_, *options_.config, &is_new);
    if (!target.ok()) return target.status();
    current_config_.store(*target);
    silences_->ReplaceConfigured((*target)->silences);
    recovery_.config_shops = MoveShardsTo(*target);
    if (configs_->applied() != (*target)->version) {
      absl::Status s = configs_->MarkApplied(*store_, (*target)->version);
      if (!s.ok()) return s;
    }
  }
  recovery_.config_version = config()->version;
  CreateWatchdogEntries(config());
  checkpoint_thread_ = std::thread([this] { CheckpointLoop(); });
  recovery_.took = absl::Now() - started;
  return absl::OkStatus();
}

void Engine::CheckpointLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&stop_mu_);
      auto stopping = [](Engine* e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(e->stop_mu_) {
        return e->stopping_;
      };
      if (stop_mu_.AwaitWithTimeout(absl::Condition(+stopping, this),
                                    options_.checkpoint_interval)) {
        return;
      }
    }
    RequestCheckpoint(nullptr);
    absl::StatusOr<size_t> expired = silences_->Expire();
    if (!expired.ok()) {
      LogWarning("silences", absl::StrCat("removing ended silences: ",
                                          expired.status().message()));
    }
  }
}

void Engine::RequestCheckpoint(std::function<void()> done) {
  auto left = std::make_shared<std::atomic<size_t>>(shards_.size());
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  for (auto& shard : shards_) {
    ShardTask t;
    t.kind = ShardTask::kCheckpoint;
    t.on_durable = [left, shared_done] {
      if (left->fetch_sub(1) == 1 && *shared_done) (*shared_done)();
    };
    shard->Push(std::move(t));
  }
}

int64_t Engine::PackAllShops() {
  std::atomic<int64_t> packed{0};
  absl::BlockingCounter done(static_cast<int>(shards_.size()));
  for (auto& shard : shards_) {
    ShardTask t;
    t.kind = ShardTask::kQuery;
    t.query = [&packed, &done](Shard& s) {
      packed.fetch_add(s.PackAll(/*ignore_idle=*/true));
      done.DecrementCount();
    };
    shard->Push(std::move(t));
  }
  done.Wait();
  return packed.load();
}

Shard* Engine::ShardFor(absl::string_view tenant,
                        absl::string_view shop_id) const {
  return shards_[ShopHash(tenant, shop_id) % shards_.size()].get();
}

bool Engine::HeartbeatDue(const std::string& tenant) {
  const absl::Duration silence = config()->FeedSilence(tenant);
  if (silence <= absl::ZeroDuration()) return false;
  // One heartbeat per tenant per min(1 min, silence/10): FEED_SILENT fires
  // at most that much early, at a cost of one tiny log entry a minute.
  const absl::Duration every =
      std::max(absl::Seconds(1), std::min(absl::Minutes(1), silence / 10));
  const absl::Time now = options_.clock->Now();
  {
    absl::MutexLock lock(&heard_mu_);
    auto [h, inserted] = heard_.emplace(tenant, now);
    if (!inserted) {
      if (now >= h->second && now - h->second < every) return false;
      h->second = now;
    }
  }
  return true;
}

void Engine::Ingest(v1::EventBatch batch, std::function<void()> accepted,
                    std::function<void(v1::IngestAck)> done) {
  auto* pending = new PendingBatch();
  pending->heap = std::make_unique<v1::EventBatch>(std::move(batch));
  pending->batch = pending->heap.get();
  IngestPending(pending, std::move(accepted), std::move(done));
}

void Engine::Ingest(std::unique_ptr<google::protobuf::Arena> arena,
                    v1::EventBatch* batch, std::function<void()> accepted,
                    std::function<void(v1::IngestAck)> done) {
  auto* pending = new PendingBatch();
  if (arena != nullptr && batch->GetArena() == arena.get()) {
    pending->arena = std::move(arena);
    pending->batch = batch;
  } else {  // not on that arena: keep a heap copy
    pending->heap = std::make_unique<v1::EventBatch>(std::move(*batch));
    pending->batch = pending->heap.get();
  }
  IngestPending(pending, std::move(accepted), std::move(done));
}

void Engine::IngestPending(PendingBatch* pending,
                           std::function<void()> accepted,
                           std::function<void(v1::IngestAck)> done) {
  pending->arrived_nanos = MonotonicNanos();
  v1::EventBatch& batch = *pending->batch;
  pending->ack.set_batch_seq(batch.batch_seq());
  const int count = batch.events_size();
  auto* results = pending->ack.mutable_results();
  results->Reserve(count);
  for (int i = 0; i < count; ++i) results->Add();
  pending->finish = [this, done = std::move(done)](PendingBatch* b) {
    FinishBatch(b);
    done(std::move(b->ack));
    delete b;
  };

  const int n = static_cast<int>(shards_.size());
  std::vector<ShardTask> tasks(n);
  int64_t admitted = 0;
  if (count > kMaxEventsPerBatch) {
    const std::string reason =
        absl::StrCat("batch has ", count, " events; the limit is ",
                     kMaxEventsPerBatch, " per batch: split it and resend");
    for (int i = 0; i < count; ++i) {
      (*results)[i].set_outcome(v1::REJECTED);
      (*results)[i].set_reason(reason);
    }
  } else {
    const size_t per_shard = static_cast<size_t>(count / n + 8);
    // The feed watchdog hears every tenant that sent something, valid or not.
    const RunningConfig* config = this->config();
    const bool watchdog = !config->feed_silence.empty();
    std::string last_tenant;
    // Not too far in the future: against the later of the engine clock
    // and the wall clock (a test clock may run behind real time), read
    // once per batch.
    const absl::Time now = std::max(options_.clock->Now(), absl::Now());
    for (int i = 0; i < count; ++i) {
      v1::Event* ev = batch.mutable_events(i);
      if (watchdog && !ev->tenant().empty() && ev->tenant() != last_tenant) {
        last_tenant = ev->tenant();
        if (HeartbeatDue(last_tenant)) {
          tasks[ShopHash(last_tenant, "") % n].heartbeats.push_back(
              last_tenant);
        }
      }
      // The only ValidateEvent of the live path: shards apply these events
      // with ShopState::ApplyValidated.
      const absl::Status s = CheckIngestEvent(*ev, now, *config->registry);
      if (!s.ok()) {
        (*results)[i].set_outcome(v1::REJECTED);
        (*results)[i].set_reason(std::string(s.message()));
        continue;
      }
      const uint64_t h = ShopHash(ev->tenant(), ev->shop_id());
      ShardTask& t = tasks[h % n];
      if (t.events.empty()) t.events.reserve(per_shard);
      t.events.push_back(IndexedEvent{static_cast<uint32_t>(i), h, ev});
      ++admitted;
    }
  }
  // Keep only shards with work; each task is routed by its events' hash.
  std::vector<ShardTask> work;
  for (int i = 0; i < n; ++i) {
    if (tasks[i].events.empty() && tasks[i].heartbeats.empty()) continue;
    tasks[i].kind = ShardTask::kIngest;
    tasks[i].batch = pending;
    tasks[i].shard = i;
    work.push_back(std::move(tasks[i]));
  }
  pending->admitted_events = admitted;
  pending->parts_left.store(static_cast<int>(work.size()));
  pending->parts_unapplied.store(static_cast<int>(work.size()));
  if (work.empty()) {
    if (accepted) accepted();
    pending->finish(pending);
    return;
  }
  admission_->Admit(pending, std::move(work), std::move(accepted));
}

void Engine::FinishBatch(PendingBatch* b) {
  uint32_t applied = 0, dup = 0, rej = 0;
  for (const v1::EventResult& r : b->ack.results()) {
    switch (r.outcome()) {
      case v1::APPLIED:
        ++applied;
        break;
      case v1::DUPLICATE:
        ++dup;
        break;
      default:
        ++rej;
        break;
    }
  }
  b->ack.set_applied(applied);
  b->ack.set_duplicates(dup);
  b->ack.set_rejected(rej);
  applied_.fetch_add(applied, std::memory_order_relaxed);
  duplicates_.fetch_add(dup, std::memory_order_relaxed);
  rejected_.fetch_add(rej, std::memory_order_relaxed);
  if (b->admitted_events > 0) admission_->Release(b->admitted_events);
}

void Engine::GetShop(
    const v1::GetShopRequest& request,
    std::function<void(absl::StatusOr<v1::ReadinessReport>)> done) {
  absl::Status s = CheckShopRef(request.tenant(), request.shop_id());
  if (s.ok()) s = CheckAsOf(request.has_as_of() ? &request.as_of() : nullptr);
  if (!s.ok()) return done(s);
  ShardFor(request.tenant(), request.shop_id())
      ->Push(GetShopTask(request, std::move(done)));
}

void Engine::Explain(
    const v1::ExplainRequest& request,
    std::function<void(absl::StatusOr<v1::ExplainResponse>)> done) {
  absl::Status s = CheckShopRef(request.tenant(), request.shop_id());
  if (s.ok()) s = CheckAsOf(request.has_as_of() ? &request.as_of() : nullptr);
  if (!s.ok()) return done(s);
  ShardFor(request.tenant(), request.shop_id())
      ->Push(ExplainTask(request, std::move(done)));
}

void Engine::ListShops(
    const v1::ListShopsRequest& request,
    std::function<void(absl::StatusOr<v1::ListShopsResponse>)> done) {
  absl::Status s = CheckPageSize(request.page_size());
  if (!s.ok()) return done(s);
  // `done` is copied: when the page token is refused, it answers here.
  absl::StatusOr<std::vector<ShardTask>> tasks =
      ListShopsTasks(request, static_cast<int>(shards_.size()), done);
  if (!tasks.ok()) return done(tasks.status());
  for (size_t i = 0; i < shards_.size(); ++i) {
    shards_[i]->Push(std::move((*tasks)[i]));
  }
}

void Engine::CountShops(
    const v1::CountShopsRequest& request,
    std::function<void(absl::StatusOr<v1::CountShopsResponse>)> done) {
  std::vector<ShardTask> tasks = CountShopsTasks(
      request, static_cast<int>(shards_.size()), std::move(done));
  for (size_t i = 0; i < shards_.size(); ++i) {
    shards_[i]->Push(std::move(tasks[i]));
  }
}

absl::StatusOr<v1::ListAlertsResponse> Engine::ListAlerts(
    const v1::ListAlertsRequest& request) const {
  v1::ListAlertsResponse resp;
  const absl::Time now = options_.clock->Now();
  for (v1::Alert& a : hub_->ListFiring(request.filter())) {
    std::string by = silences_->SilencedBy(a, now);
    if (!by.empty()) a.set_silenced_by(std::move(by));
    *resp.add_alerts() = std::move(a);
  }
  return resp;
}

void Engine::Acknowledge(const v1::AcknowledgeRequest& request,
                         std::function<void(absl::Status)> done) {
  absl::Status s = CheckAcknowledge(request);
  if (!s.ok()) return done(s);
  const v1::AlertKey& key = request.key();
  ShardTask t;
  t.kind = ShardTask::kAck;
  *t.ack.mutable_key() = key;
  t.ack.set_by(request.by());
  t.ack.set_comment(request.comment());
  t.ack_done = std::move(done);
  ShardFor(key.tenant(), key.shop_id())->Push(std::move(t));
}

absl::StatusOr<v1::SilenceResponse> Engine::Silence(
    const v1::SilenceRequest& request) {
  const absl::Time now = options_.clock->Now();
  absl::Status checked = CheckSilence(request, now);
  if (!checked.ok()) return checked;
  const absl::Time ends = common::FromTimestamp(request.ends_at());
  notifier::Silence s;
  s.tenant = request.tenant();
  s.shop_id = request.shop_id();
  s.kind = request.kind();
  s.severity = request.severity();
  s.ends_at = ends;
  s.by = request.by();
  s.comment = request.comment();
  absl::StatusOr<std::string> id = silences_->Add(std::move(s));
  if (!id.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "the silence could not be stored: ", id.status().message()));
  }
  v1::SilenceResponse resp;
  resp.set_silence_id(*id);
  return resp;
}

absl::Status Engine::WritableStatus() const {
  if (committer_ == nullptr) return absl::OkStatus();
  return committer_->write_status();
}

void Engine::AddWriteErrorListener(std::weak_ptr<WriteErrorListener> listener) {
  absl::MutexLock lock(&listeners_mu_);
  if (listeners_.size() >= prune_listeners_at_) {
    // Drop the ones that are gone (amortized: the limit doubles).
    listeners_.erase(
        std::remove_if(listeners_.begin(), listeners_.end(),
                       [](const std::weak_ptr<WriteErrorListener>& l) {
                         return l.expired();
                       }),
        listeners_.end());
    prune_listeners_at_ = std::max<size_t>(64, 2 * listeners_.size());
  }
  listeners_.push_back(std::move(listener));
}

void Engine::NotifyWriteError(const absl::Status& status) {
  std::vector<std::shared_ptr<WriteErrorListener>> live;
  {
    absl::MutexLock lock(&listeners_mu_);
    for (const auto& l : listeners_) {
      if (auto p = l.lock()) live.push_back(std::move(p));
    }
  }
  for (const auto& l : live) l->OnWriteError(status);
}

absl::Status Engine::EffectiveConfig(absl::string_view tenant,
                                     absl::string_view shop_id,
                                     v1::GetConfigResponse* out) const {
  const RunningConfig* config = this->config();
  const watchers::ProfileRegistry& registry = *config->registry;
  out->set_config_version(config->version);
  for (const std::string& name : registry.ProfileNames()) {
    absl::StatusOr<const watchers::ResolvedProfile*> p =
        registry.Resolve(tenant, shop_id, name);
    if (!p.ok()) return p.status();
    *out->add_profiles() = (*p)->settings;
  }
  for (v1::Calendar& c : registry.Calendars()) {
    *out->add_calendars() = std::move(c);
  }
  return absl::OkStatus();
}

v1::StatsResponse Engine::Stats() const {
  v1::StatsResponse r;
  int64_t shops = 0, deadlines = 0, dedupe = 0, packed = 0;
  for (const auto& s : shards_) {
    shops += s->shop_count();
    packed += s->packed_shops();
    deadlines += s->pending_deadlines();
    dedupe += s->dedupe_ids();
  }
  r.set_shops(shops);
  r.set_events_applied(applied_.load());
  r.set_events_duplicate(duplicates_.load());
  r.set_events_rejected(rejected_.load());
  r.set_log_position(log_->LastPosition());
  r.set_checkpoint_position(committer_->checkpoint_position());
  r.set_alert_sequence(committer_->last_alert_sequence());
  r.set_pending_deadlines(deadlines);
  r.set_shards(static_cast<int32_t>(shards_.size()));
  r.set_store_live_bytes(store_->LiveBytes());
  r.set_store_estimated_keys(store_->EstimatedKeys());
  r.set_dedupe_ids(dedupe);
  r.set_packed_shops(packed);
  return r;
}

absl::Duration Engine::LongestShardStep() const {
  return SlowestShardStep().time;
}

Engine::ShardStep Engine::SlowestShardStep() const {
  ShardStep slowest;
  for (size_t i = 0; i < shards_.size(); ++i) {
    const absl::Duration t = shards_[i]->CurrentStepTime();
    if (t > slowest.time) slowest = {static_cast<int>(i), t};
  }
  return slowest;
}

absl::StatusOr<absl::Time> Engine::TestClockNow() const {
  if (!options_.clock->is_test()) {
    return absl::FailedPreconditionError(
        "the test clock is off: start depositd with --test-clock to use it");
  }
  return options_.clock->Now();
}

void Engine::Barrier(std::function<void(absl::Status)> done) {
  struct Count {
    std::atomic<int> left;
    std::function<void(absl::Status)> done;
  };
  auto c = std::make_shared<Count>();
  c->left = static_cast<int>(shards_.size());
  c->done = std::move(done);
  for (auto& shard : shards_) {
    ShardTask t;
    t.kind = ShardTask::kBarrier;
    t.on_durable = [c] {
      if (c->left.fetch_sub(1) == 1) c->done(absl::OkStatus());
    };
    shard->Push(std::move(t));
  }
}

void Engine::SetTestClock(absl::Time t,
                          std::function<void(absl::Status)> done) {
  if (!options_.clock->is_test()) {
    return done(absl::FailedPreconditionError(
        "the test clock is off: start depositd with --test-clock to use it"));
  }
  absl::Status s = static_cast<TestClock*>(options_.clock)->Set(t);
  if (!s.ok()) return done(s);
  Barrier(std::move(done));
}

void Engine::AdvanceTestClock(absl::Duration d,
                              std::function<void(absl::Status)> done) {
  if (!options_.clock->is_test()) {
    return done(absl::FailedPreconditionError(
        "the test clock is off: start depositd with --test-clock to use it"));
  }
  if (d < absl::ZeroDuration()) {
    return done(absl::InvalidArgumentError(
        "the test clock never moves backwards: `by` must be >= 0"));
  }
  SetTestClock(options_.clock->Now() + d, std::move(done));
}

void Engine::Stop() {
  {
    absl::MutexLock lock(&stop_mu_);
    if (stopped_ || shards_.empty()) {
      stopped_ = true;
      return;
    }
    stopping_ = true;
  }
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  // Let batches waiting for admission get queued and committed.
  admission_->Drain(absl::Seconds(30));
  for (auto& shard : shards_) {
    ShardTask t;
    t.kind = ShardTask::kStop;
    shard->Push(std::move(t));
  }
  for (auto& shard : shards_) shard->Join();
  committer_->Stop();
  {
    absl::MutexLock lock(&stop_mu_);
    stopped_ = true;
  }
}

}  // namespace depositd::daemon
