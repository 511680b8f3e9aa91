#include "daemon/engine.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/blocking_counter.h"
#include "daemon/committer.h"
#include "daemon/event_log.h"
#include "daemon/shard.h"
#include "daemon/shard_feeder.h"
#include "daemon/stable_hash.h"
#include "daemon/store.h"
#include "depositd/store/v1/checkpoint.pb.h"
#include "depositd/store/v1/log.pb.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/util/time_util.h"
#include "watchers/limits.h"
#include "watchers/shop_state.h"
#include "watchers/timestamps.h"

namespace depositd::daemon {
namespace {

using google::protobuf::util::TimeUtil;

constexpr absl::string_view kPageTokenPrefix = "p1:";

std::string EncodePageToken(absl::string_view key) {
  return absl::WebSafeBase64Escape(absl::StrCat(kPageTokenPrefix, key));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      !absl::StartsWith(raw, kPageTokenPrefix)) {
    return absl::InvalidArgumentError(
        "page_token is not one this server issued: pass next_page_token "
        "from the previous ListShops response unchanged, or omit it to "
        "start from the first page");
  }
  return raw.substr(kPageTokenPrefix.size());
}

absl::Status ValidateShopRef(absl::string_view tenant,
                             absl::string_view shop_id) {
  if (tenant.empty() || shop_id.empty()) {
    return absl::InvalidArgumentError(
        "tenant and shop_id are both required (the shop's tenant and the "
        "platform's shop id, as sent in its events)");
  }
  if (tenant.size() > watchers::kMaxTenantBytes ||
      shop_id.size() > watchers::kMaxShopIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tenant (", tenant.size(), " bytes) or shop_id (", shop_id.size(),
        " bytes) is longer than any stored one can be (limits ",
        watchers::kMaxTenantBytes, " and ", watchers::kMaxShopIdBytes, ")"));
  }
  return absl::OkStatus();
}

// as_of of GetShop/Explain: inside the range events may use.
template <typename Request>
absl::Status ValidateAsOf(const Request& request) {
  if (!request.has_as_of()) return absl::OkStatus();
  const int64_t s = request.as_of().seconds();
  if (s < watchers::kEarliestEventUnixSeconds ||
      s >= watchers::kLatestEventUnixSeconds) {
    return absl::InvalidArgumentError(
        "as_of must be between 2000-01-01 and 2100-01-01 (UTC)");
  }
  return absl::OkStatus();
}

std::string KnownProfiles() {
  return "tiktok_shop_cross_border, douyin, shopee, temu, generic, or one "
         "defined in the configuration";
}

}  // namespace

Engine::Engine(const Options& options) : options_(options) {}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const Options& options) {
  if (options.registry == nullptr || options.clock == nullptr) {
    return absl::InvalidArgumentError("Engine needs a registry and a clock");
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

  store::v1::CheckpointMeta meta;
  {
    absl::StatusOr<std::string> bytes =
        store_->Get(Family::kMeta, "checkpoint");
    if (bytes.ok()) {
      if (!meta.ParseFromString(*bytes)) {
        return absl::DataLossError(absl::StrCat(
            "the checkpoint metadata (key \"checkpoint\") does not parse"));
      }
    } else if (!absl::IsNotFound(bytes.status())) {
      return bytes.status();
    }
  }
  absl::StatusOr<std::optional<std::string>> last_alert =
      store_->LastKey(Family::kAlerts);
  if (!last_alert.ok()) return last_alert.status();
  const uint64_t alert_seq =
      last_alert->has_value() ? DecodeBigEndian64(**last_alert) : 0;

  const int n = options_.shards;
  Committer::Options co;
  co.store = store_.get();
  co.log = log_.get();
  co.shard_count = n;
  co.last_alert_sequence = alert_seq;
  co.publish_alerts = [this](std::vector<v1::Alert> alerts) {
    hub_->Publish(std::move(alerts));
  };
  co.on_write_error = [this](const absl::Status& s) { NotifyWriteError(s); };
  // Cuts are set below, after the replay.
  co.cuts.assign(n, 0);
  Shard::Context ctx;
  ctx.registry = options_.registry;
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
  if (options_.repeat) ctx.repeat = &options_.repeat;
  ctx.feed_silence = [this](absl::string_view tenant) {
    auto it = options_.feed_silence.find(std::string(tenant));
    return it == options_.feed_silence.end() ? absl::ZeroDuration()
                                             : it->second;
  };

  absl::StatusOr<std::unique_ptr<SilenceRegistry>> silences =
      SilenceRegistry::Load(store_.get(), options_.clock);
  if (!silences.ok()) return silences.status();
  silences_ = *std::move(silences);

  // 1. Shops.
  std::vector<std::unique_ptr<Shard>> shards;
  // The committer pointer is filled in once the committer exists; shards do
  // not push before Start.
  absl::Status load_error;
  for (int i = 0; i < n; ++i) {
    shards.push_back(std::make_unique<Shard>(i, ctx));
  }
  // Parsing a checkpoint is the slow part of a start: each shard parses its
  // own shops (and inserts its dedupe ids) on a thread of its own while this
  // thread reads the store.
  struct RawShop {
    std::string key;  // the shop's key (also for a page)
    std::string value;
    int64_t page = -1;  // a page of the shop (PageKey): its number
  };
  absl::Status scan;
  {
    ShardFeeder<RawShop> feeder(
        n, 512, [&](int i, RawShop& raw) -> absl::Status {
          absl::Status s =
              raw.page < 0
                  ? shards[i]->LoadShop(raw.key, raw.value)
                  : shards[i]->LoadPage(
                        raw.key, static_cast<uint32_t>(raw.page), raw.value);
          if (s.ok()) return s;
          return absl::DataLossError(absl::StrCat("shop checkpoint ",
                                                  absl::CHexEscape(raw.key),
                                                  ": ", s.message()));
        });
    scan = store_->Scan(
        Family::kShops, "",
        [&](absl::string_view key, absl::string_view value) {
          const size_t sep = key.find('\0');
          if (sep == absl::string_view::npos) {
            load_error = absl::DataLossError("corrupt shop key in checkpoint");
            return false;
          }
          absl::string_view shop_id = key.substr(sep + 1);
          int64_t page = -1;
          if (const size_t p = shop_id.find('\0');
              p != absl::string_view::npos) {  // PageKey
            const absl::string_view number = shop_id.substr(p + 1);
            if (number.size() != 4) {
              load_error = absl::DataLossError(
                  absl::StrCat("corrupt page key ", absl::CHexEscape(key)));
              return false;
            }
            page = 0;
            for (char c : number) page = (page << 8) | static_cast<uint8_t>(c);
            shop_id = shop_id.substr(0, p);
          }
          const uint64_t h = ShopHash(key.substr(0, sep), shop_id);
          return feeder.Add(
              static_cast<int>(h % n),
              RawShop{std::string(key.substr(0, sep + 1 + shop_id.size())),
                      std::string(value), page});
        });
    absl::Status loaded = feeder.Finish();
    if (load_error.ok()) load_error = loaded;
  }
  for (auto& shard : shards) {
    if (!load_error.ok()) break;
    load_error = shard->CheckLoaded();
  }
  if (!scan.ok()) return scan;
  if (!load_error.ok()) return load_error;

  // 2. Dedupe buckets.
  struct SealedIds {
    absl::Time max_seen;
    std::vector<DedupeKey> keys;
  };
  uint64_t max_bucket = 0;
  std::vector<std::pair<uint64_t, absl::Time>> buckets;
  {
    // A bucket holds up to a round's ids: hand each over at once.
    ShardFeeder<SealedIds> feeder(n, 1, [&](int i, SealedIds& ids) {
      shards[i]->LoadDedupe(ids.max_seen, ids.keys);
      return absl::OkStatus();
    });
    scan = store_->Scan(
        Family::kDedupe, "",
        [&](absl::string_view key, absl::string_view value) {
          const uint64_t number = DecodeBigEndian64(key);
          max_bucket = std::max(max_bucket, number);
          absl::Time max_seen;
          std::vector<DedupeKey> keys;
          absl::Status s = DedupeIndex::ParseBucket(value, &max_seen, &keys);
          if (!s.ok()) {
            load_error = s;
            return false;
          }
          std::vector<std::vector<DedupeKey>> routed(n);
          for (const DedupeKey& k : keys) {
            routed[k.shop_hash % n].push_back(k);
          }
          for (int i = 0; i < n; ++i) {
            if (!routed[i].empty()) {
              feeder.Add(i, SealedIds{max_seen, std::move(routed[i])});
            }
          }
          buckets.emplace_back(number, max_seen);
          return true;
        });
    (void)feeder.Finish();
  }
  if (!scan.ok()) return scan;
  if (!load_error.ok()) return load_error;
  for (const auto& [number, max_seen] : buckets) {
    shards[number % n]->AdoptBucket(number, max_seen);
  }
  next_bucket_ = max_bucket + 1;

  // 3. Replay the log after the cuts. This thread reads and routes; each
  // shard replays its share of every group, in log order, on the shard's
  // loader thread (shards share nothing, so they replay in parallel).
  struct ParsedRecord {
    google::protobuf::Arena arena;
    store::v1::LogRecord* record = nullptr;  // on `arena`
  };
  struct ReplayShare {
    std::shared_ptr<const ParsedRecord> record;  // what `in` points into
    absl::Time at;
    Shard::ReplayInput in;
  };
  uint64_t from = 1;
  if (meta.cuts_size() > 0) {
    from = *std::min_element(meta.cuts().begin(), meta.cuts().end()) + 1;
  }
  int64_t records = 0;
  {
    ShardFeeder<ReplayShare> feeder(n, 64, [&](int i, ReplayShare& share) {
      shards[i]->ReplayGroup(share.at, share.in);
      return absl::OkStatus();
    });
    scan = log_->ReadFrom(from, [&](uint64_t pos, absl::string_view bytes) {
      auto parsed = std::make_shared<ParsedRecord>();
      parsed->record =
          google::protobuf::Arena::CreateMessage<store::v1::LogRecord>(
              &parsed->arena);
      const store::v1::LogRecord& record = *parsed->record;
      if (!parsed->record->ParseFromArray(bytes.data(),
                                          static_cast<int>(bytes.size()))) {
        load_error = absl::DataLossError(
            absl::StrCat("event log record ", pos, " is corrupt"));
        return false;
      }
      ++records;
      for (const store::v1::ShardPart& part : record.parts()) {
        const uint64_t cut = static_cast<int>(part.shard()) < meta.cuts_size()
                                 ? meta.cuts(part.shard())
                                 : 0;
        if (pos <= cut) continue;
        for (const store::v1::ProcessingGroup& g : part.groups()) {
          std::vector<Shard::ReplayInput> in(n);
          for (const v1::Event& ev : g.events()) {
            in[ShopHash(ev.tenant(), ev.shop_id()) % n].events.push_back(&ev);
          }
          for (const store::v1::ShopRef& ref : g.fired()) {
            in[ShopHash(ref.tenant(), ref.shop_id()) % n].fired.push_back(&ref);
          }
          for (const store::v1::AlertAck& ack : g.acks()) {
            in[ShopHash(ack.key().tenant(), ack.key().shop_id()) % n]
                .acks.push_back(&ack);
          }
          for (const std::string& tenant : g.heartbeats()) {
            in[ShopHash(tenant, "") % n].heartbeats.push_back(&tenant);
          }
          const absl::Time at = absl::FromUnixNanos(g.processed_at_nanos());
          for (int i = 0; i < n; ++i) {
            if (in[i].empty()) continue;
            in[i].seq = g.seq();
            feeder.Add(i, ReplayShare{parsed, at, std::move(in[i])});
          }
        }
      }
      return true;
    });
    (void)feeder.Finish();
  }
  if (!scan.ok()) return scan;
  if (!load_error.ok()) return load_error;

  // 4. New groups are numbered after everything seen. After a crash with
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
    StoreBatch batch(*store_);
    for (auto& shard : shards) {
      CommitItem ck = shard->Checkpoint(now);
      for (auto& [k, v] : ck.shop_puts) batch.Put(Family::kShops, k, v);
      for (auto& [num, v] : ck.dedupe_puts) {
        batch.Put(Family::kDedupe, EncodeBigEndian64(num), v);
      }
      for (uint64_t num : ck.dedupe_deletes) {
        batch.Delete(Family::kDedupe, EncodeBigEndian64(num));
      }
    }
    store::v1::CheckpointMeta new_meta;
    new_meta.set_shard_count(n);
    for (int i = 0; i < n; ++i) new_meta.add_cuts(last_pos);
    batch.Put(Family::kMeta, "checkpoint", new_meta.SerializeAsString());
    log_->TruncateBefore(last_pos + 1, batch);
    absl::StatusOr<uint64_t> w = log_->Append({}, batch);
    if (!w.ok()) return w.status();
  }

  // 5. Wire up and start.
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
  // Watched tenants never heard from get their watchdog entry now, so a feed
  // that never starts is reported too.
  for (const auto& [tenant, silence] : options_.feed_silence) {
    if (silence <= absl::ZeroDuration()) continue;
    ShardTask t;
    t.kind = ShardTask::kHeartbeat;
    t.tenant = tenant;
    t.if_missing = true;
    ShardFor(tenant, "")->Push(std::move(t));
  }
  if (!options_.feed_silence.empty()) {
    // Serve only once those entries exist: their "last heard" is the start,
    // not whenever the shard gets to them (a test clock moved right after
    // Create would otherwise date them later).
    absl::BlockingCounter created(static_cast<int>(shards_.size()));
    for (auto& shard : shards_) {
      ShardTask b;
      b.kind = ShardTask::kBarrier;
      b.on_durable = [&created] { created.DecrementCount(); };
      shard->Push(std::move(b));
    }
    created.Wait();
  }
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
      std::fprintf(stderr, "depositd: warning: removing ended silences: %s\n",
                   std::string(expired.status().message()).c_str());
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
  auto it = options_.feed_silence.find(tenant);
  if (it == options_.feed_silence.end() || it->second <= absl::ZeroDuration())
    return false;
  // One heartbeat per tenant per min(1 min, silence/10): FEED_SILENT fires
  // at most that much early, at a cost of one tiny log entry a minute.
  const absl::Duration every =
      std::max(absl::Seconds(1), std::min(absl::Minutes(1), it->second / 10));
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
    const bool watchdog = !options_.feed_silence.empty();
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
      absl::Status s = watchers::ValidateEvent(*ev);
      if (s.ok()) s = watchers::ValidateEventTime(*ev, now);
      if (s.ok() && ev->has_shop_registered() &&
          !ev->shop_registered().profile().empty() &&
          !options_.registry->HasProfile(ev->shop_registered().profile())) {
        s = absl::InvalidArgumentError(absl::StrCat(
            "shop_registered.profile \"", ev->shop_registered().profile(),
            "\" is not a known platform profile: use ", KnownProfiles()));
      }
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
  Admit(pending, std::move(work), std::move(accepted));
}

void Engine::Admit(PendingBatch* batch, std::vector<ShardTask> tasks,
                   std::function<void()> accepted) {
  {
    absl::MutexLock lock(&admit_mu_);
    const int64_t n = batch->admitted_events;
    if (!waiters_.empty() ||
        (inflight_ > 0 && inflight_ + n > options_.max_inflight_events)) {
      waiters_.push_back(Waiter{batch, std::move(tasks), std::move(accepted)});
      return;
    }
    inflight_ += n;
  }
  const int n = static_cast<int>(shards_.size());
  for (ShardTask& t : tasks) shards_[t.shard % n]->Push(std::move(t));
  if (accepted) accepted();
}

void Engine::Release(int64_t events) {
  std::vector<Waiter> runnable;
  {
    absl::MutexLock lock(&admit_mu_);
    inflight_ -= events;
    while (!waiters_.empty()) {
      Waiter& w = waiters_.front();
      const int64_t n = w.batch->admitted_events;
      if (inflight_ > 0 && inflight_ + n > options_.max_inflight_events) break;
      inflight_ += n;
      runnable.push_back(std::move(w));
      waiters_.pop_front();
    }
  }
  const int n = static_cast<int>(shards_.size());
  for (Waiter& w : runnable) {
    for (ShardTask& t : w.tasks) shards_[t.shard % n]->Push(std::move(t));
    if (w.accepted) w.accepted();
  }
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
  if (b->admitted_events > 0) Release(b->admitted_events);
}

namespace {

// A query task for the shard owning the request's shop: NOT_FOUND when the
// shop is unknown, else `answer(entry, as_of)` (as_of defaults to the
// shard's now).
template <typename Response, typename Request, typename Answer>
ShardTask ShopQuery(const Request& request,
                    std::function<void(absl::StatusOr<Response>)> done,
                    Answer answer) {
  ShardTask t;
  t.kind = ShardTask::kQuery;
  t.query = [request, done = std::move(done), answer](Shard& shard) {
    const ShopEntry* e = shard.Find(request.tenant(), request.shop_id());
    if (e == nullptr) {
      return done(absl::NotFoundError(absl::StrCat(
          "shop ", request.tenant(), "/", request.shop_id(),
          " is unknown: it has sent no accepted event (check the tenant "
          "and shop_id)")));
    }
    const absl::Time as_of = request.has_as_of()
                                 ? watchers::FromTimestamp(request.as_of())
                                 : shard.clock()->Now();
    done(answer(*e, as_of));
  };
  return t;
}

}  // namespace

void Engine::GetShop(
    const v1::GetShopRequest& request,
    std::function<void(absl::StatusOr<v1::ReadinessReport>)> done) {
  absl::Status s = ValidateShopRef(request.tenant(), request.shop_id());
  if (s.ok()) s = ValidateAsOf(request);
  if (!s.ok()) return done(s);
  const uint64_t h = ShopHash(request.tenant(), request.shop_id());
  shards_[h % shards_.size()]->Push(ShopQuery<v1::ReadinessReport>(
      request, std::move(done), [](const ShopEntry& e, absl::Time as_of) {
        return e.state.Evaluate(as_of, *e.profile);
      }));
}

void Engine::Explain(
    const v1::ExplainRequest& request,
    std::function<void(absl::StatusOr<v1::ExplainResponse>)> done) {
  absl::Status s = ValidateShopRef(request.tenant(), request.shop_id());
  if (s.ok()) s = ValidateAsOf(request);
  if (!s.ok()) return done(s);
  const uint64_t h = ShopHash(request.tenant(), request.shop_id());
  shards_[h % shards_.size()]->Push(ShopQuery<v1::ExplainResponse>(
      request, std::move(done), [](const ShopEntry& e, absl::Time as_of) {
        return e.state.Explain(as_of, *e.profile);
      }));
}

void Engine::ListShops(
    const v1::ListShopsRequest& request,
    std::function<void(absl::StatusOr<v1::ListShopsResponse>)> done) {
  int page_size = request.page_size() == 0 ? 100 : request.page_size();
  if (page_size < 1 || page_size > 1000) {
    return done(absl::InvalidArgumentError(
        absl::StrCat("page_size ", request.page_size(),
                     " is out of range: use 1 to 1000 "
                     "(0 means the default, 100)")));
  }
  std::string after;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> k = DecodePageToken(request.page_token());
    if (!k.ok()) return done(k.status());
    after = *std::move(k);
  }
  if (!request.tenant().empty() && after < request.tenant()) {
    after = request.tenant();  // first key of the tenant is tenant "\0" ...
  }
  struct Gather {
    absl::Mutex mu;
    std::map<std::string, v1::ShopSummary> found ABSL_GUARDED_BY(mu);
    int remaining ABSL_GUARDED_BY(mu);
    bool more ABSL_GUARDED_BY(mu) = false;
    std::function<void(absl::StatusOr<v1::ListShopsResponse>)> done;
  };
  auto gather = std::make_shared<Gather>();
  {
    absl::MutexLock lock(&gather->mu);
    gather->remaining = static_cast<int>(shards_.size());
  }
  gather->done = std::move(done);
  for (auto& shard : shards_) {
    ShardTask t;
    t.kind = ShardTask::kQuery;
    t.query = [request, after, page_size, gather](Shard& s) {
      const absl::Time now = s.clock()->Now();
      std::vector<std::pair<std::string, v1::ShopSummary>> local;
      bool more = false;
      s.ScanFrom(after, [&](const ShopEntry& e) {
        if (!request.tenant().empty()) {
          if (e.state.tenant() != request.tenant()) {
            return e.state.tenant() < request.tenant();  // past the tenant
          }
        }
        const std::string& profile = e.profile->settings.name();
        if (!request.profile().empty() && request.profile() != profile) {
          return true;
        }
        if (request.risk() != v1::ALERT_KIND_UNSPECIFIED &&
            !e.alerts.HasFiring(request.risk())) {
          return true;
        }
        v1::ReadinessReport report = e.state.Evaluate(now, *e.profile);
        if (request.verdicts_size() > 0 &&
            std::find(request.verdicts().begin(), request.verdicts().end(),
                      report.verdict()) == request.verdicts().end()) {
          return true;
        }
        if (static_cast<int>(local.size()) == page_size) {
          more = true;
          return false;
        }
        v1::ShopSummary sum;
        sum.set_tenant(e.state.tenant());
        sum.set_shop_id(e.state.shop_id());
        sum.set_profile(profile);
        sum.set_lifecycle(report.lifecycle());
        sum.set_verdict(report.verdict());
        if (report.has_ready_at()) *sum.mutable_ready_at() = report.ready_at();
        for (const v1::Blocker& b : report.blockers()) {
          sum.add_blocking(b.condition());
        }
        for (const v1::Alert& a : e.alerts.active()) {
          if (std::find(sum.risks().begin(), sum.risks().end(),
                        a.key().kind()) == sum.risks().end()) {
            sum.add_risks(a.key().kind());
          }
        }
        local.emplace_back(e.key, std::move(sum));
        return true;
      });
      bool last = false;
      {
        absl::MutexLock lock(&gather->mu);
        for (auto& [k, v] : local) gather->found.emplace(k, std::move(v));
        gather->more = gather->more || more;
        last = --gather->remaining == 0;
      }
      if (!last) return;
      v1::ListShopsResponse resp;
      bool has_more;
      std::string last_key;
      {
        absl::MutexLock lock(&gather->mu);
        has_more =
            gather->more || static_cast<int>(gather->found.size()) > page_size;
        for (auto& [k, v] : gather->found) {
          if (resp.shops_size() == page_size) break;
          *resp.add_shops() = std::move(v);
          last_key = k;
        }
      }
      if (has_more && !last_key.empty()) {
        resp.set_next_page_token(EncodePageToken(last_key));
      }
      gather->done(std::move(resp));
    };
    shard->Push(std::move(t));
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
  const v1::AlertKey& key = request.key();
  if (key.tenant().empty()) {
    return done(absl::InvalidArgumentError(
        "key.tenant is required: copy the key of the alert from Alerts.List "
        "or Alerts.Watch"));
  }
  if (key.kind() == v1::ALERT_KIND_UNSPECIFIED ||
      !v1::AlertKind_IsValid(key.kind())) {
    return done(absl::InvalidArgumentError(absl::StrCat(
        "key.kind ", static_cast<int>(key.kind()),
        " is not an alert kind: copy the key of the alert from Alerts.List")));
  }
  if (key.shop_id().empty() && key.kind() != v1::FEED_SILENT) {
    return done(absl::InvalidArgumentError(
        "key.shop_id is required (only FEED_SILENT alerts are tenant-wide)"));
  }
  if (request.by().empty()) {
    return done(absl::InvalidArgumentError(
        "`by` is required: who acknowledges, for the record"));
  }
  if (key.tenant().size() > watchers::kMaxTenantBytes ||
      key.shop_id().size() > watchers::kMaxShopIdBytes ||
      key.subject().size() > watchers::kMaxRecordIdBytes ||
      request.by().size() > watchers::kMaxNameBytes ||
      request.comment().size() > watchers::kMaxFreeTextBytes) {
    return done(absl::InvalidArgumentError(absl::StrCat(
        "a field is too long: key ids at most ", watchers::kMaxShopIdBytes,
        " bytes, by at most ", watchers::kMaxNameBytes, ", comment at most ",
        watchers::kMaxFreeTextBytes)));
  }
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
  if (request.tenant().empty() && request.shop_id().empty() &&
      request.kind() == v1::ALERT_KIND_UNSPECIFIED &&
      request.severity() == v1::SEVERITY_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "a silence needs at least one matcher (tenant, shop_id, kind or "
        "severity); refusing to mute every alert");
  }
  if (!request.shop_id().empty() && request.tenant().empty()) {
    return absl::InvalidArgumentError(
        "shop_id needs its tenant: shop ids are unique only within a tenant");
  }
  if (!v1::AlertKind_IsValid(request.kind())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kind ", static_cast<int>(request.kind()), " is not an alert kind"));
  }
  if (!v1::Severity_IsValid(request.severity())) {
    return absl::InvalidArgumentError(
        absl::StrCat("severity ", static_cast<int>(request.severity()),
                     " is not a severity (INFO, WARNING, CRITICAL)"));
  }
  if (request.by().empty()) {
    return absl::InvalidArgumentError(
        "`by` is required: who silences, for the record");
  }
  if (request.tenant().size() > watchers::kMaxTenantBytes ||
      request.shop_id().size() > watchers::kMaxShopIdBytes ||
      request.by().size() > watchers::kMaxNameBytes ||
      request.comment().size() > watchers::kMaxFreeTextBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a field is too long: tenant at most ", watchers::kMaxTenantBytes,
        " bytes, shop_id ", watchers::kMaxShopIdBytes, ", by ",
        watchers::kMaxNameBytes, ", comment ", watchers::kMaxFreeTextBytes));
  }
  const absl::Time now = options_.clock->Now();
  if (!request.has_ends_at()) {
    return absl::InvalidArgumentError(
        "ends_at is required: silences always end");
  }
  const absl::Time ends = watchers::FromTimestamp(request.ends_at());
  if (ends <= now) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ends_at ", absl::FormatTime(ends), " is not in the future (now ",
        absl::FormatTime(now), ")"));
  }
  if (ends > now + absl::Hours(24 * 366)) {
    return absl::InvalidArgumentError(
        "ends_at is more than a year away: silence for less, and renew it");
  }
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
  const watchers::ProfileRegistry& registry = *options_.registry;
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
  {
    // Let batches waiting for admission get queued and committed.
    absl::MutexLock lock(&admit_mu_);
    auto drained = [](Engine* e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(e->admit_mu_) {
      return e->waiters_.empty() && e->inflight_ == 0;
    };
    admit_mu_.AwaitWithTimeout(absl::Condition(+drained, this),
                               absl::Seconds(30));
  }
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
