#include "daemon/recovery.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "daemon/dedupe.h"
#include "daemon/shard_feeder.h"
#include "daemon/stable_hash.h"
#include "daemon/store_keys.h"
#include "depositd/store/v1/log.pb.h"
#include "google/protobuf/arena.h"

namespace depositd::daemon {

absl::StatusOr<store::v1::CheckpointMeta> ReadCheckpointMeta(
    const Store& store) {
  store::v1::CheckpointMeta meta;
  absl::StatusOr<std::string> bytes =
      store.Get(Family::kMeta, kCheckpointMetaKey);
  if (bytes.ok()) {
    if (!meta.ParseFromString(*bytes)) {
      return absl::DataLossError(absl::StrCat(
          "the checkpoint metadata (key \"checkpoint\") does not parse"));
    }
  } else if (!absl::IsNotFound(bytes.status())) {
    return bytes.status();
  }
  return meta;
}

absl::StatusOr<uint64_t> LastAlertSequence(const Store& store) {
  absl::StatusOr<std::optional<std::string>> last =
      store.LastKey(Family::kAlerts);
  if (!last.ok()) return last.status();
  return last->has_value() ? DecodeBigEndian64(**last) : 0;
}

absl::Status LoadShopCheckpoints(const Store& store, const ShardList& shards) {
  const int n = static_cast<int>(shards.size());
  // Parsing a checkpoint is the slow part of a start: each shard parses its
  // own shops (and inserts its dedupe ids) on a thread of its own while this
  // thread reads the store.
  struct RawShop {
    std::string key;  // the shop's key (also for a page)
    std::string value;
    int64_t page = -1;  // a page of the shop (PageKey): its number
  };
  absl::Status load_error;
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
    scan = store.Scan(Family::kShops, "",
                      [&](absl::string_view key, absl::string_view value) {
                        absl::StatusOr<ShopsKey> k = ParseShopsKey(key);
                        if (!k.ok()) {
                          load_error = k.status();
                          return false;
                        }
                        const uint64_t h = ShopHash(k->tenant, k->shop_id);
                        return feeder.Add(static_cast<int>(h % n),
                                          RawShop{std::string(k->shop_key),
                                                  std::string(value), k->page});
                      });
    absl::Status loaded = feeder.Finish();
    if (load_error.ok()) load_error = loaded;
  }
  for (auto& shard : shards) {
    if (!load_error.ok()) break;
    load_error = shard->CheckLoaded();
  }
  if (!scan.ok()) return scan;
  return load_error;
}

absl::Status LoadDedupeBuckets(const Store& store, const ShardList& shards,
                               std::atomic<uint64_t>* next_bucket) {
  const int n = static_cast<int>(shards.size());
  struct SealedIds {
    absl::Time max_seen;
    std::vector<DedupeKey> keys;
  };
  uint64_t max_bucket = 0;
  std::vector<std::pair<uint64_t, absl::Time>> buckets;
  absl::Status load_error;
  absl::Status scan;
  {
    // A bucket holds up to a round's ids: hand each over at once.
    ShardFeeder<SealedIds> feeder(n, 1, [&](int i, SealedIds& ids) {
      shards[i]->LoadDedupe(ids.max_seen, ids.keys);
      return absl::OkStatus();
    });
    scan = store.Scan(
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
  *next_bucket = max_bucket + 1;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ReplayLog(const EventLog& log,
                                  const store::v1::CheckpointMeta& meta,
                                  const ConfigVersions& versions,
                                  const ShardList& shards) {
  const int n = static_cast<int>(shards.size());
  struct ParsedRecord {
    google::protobuf::Arena arena;
    store::v1::LogRecord* record = nullptr;  // on `arena`
  };
  struct ReplayShare {
    std::shared_ptr<const ParsedRecord> record;  // what `in` points into
    absl::Time at;
    ReplayInput in;
  };
  uint64_t from = 1;
  if (meta.cuts_size() > 0) {
    from = *std::min_element(meta.cuts().begin(), meta.cuts().end()) + 1;
  }
  int64_t records = 0;
  absl::Status load_error;
  absl::Status scan;
  {
    ShardFeeder<ReplayShare> feeder(n, 64, [&](int i, ReplayShare& share) {
      shards[i]->ReplayGroup(share.at, share.in);
      return absl::OkStatus();
    });
    scan = log.ReadFrom(from, [&](uint64_t pos, absl::string_view bytes) {
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
          std::vector<ReplayInput> in(n);
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
          const RunningConfig* config = nullptr;
          if (g.config_version() != 0) {
            config = versions.Get(g.config_version());
            if (config == nullptr) {
              load_error = absl::DataLossError(absl::StrCat(
                  "event log record ", pos, " ran under configuration version ",
                  g.config_version(), ", which is not recorded"));
              return false;
            }
          }
          const RunningConfig* previous = nullptr;
          if (g.config_change()) {
            previous = versions.Get(g.config_previous_version());
            if (config == nullptr || previous == nullptr) {
              load_error = absl::DataLossError(absl::StrCat(
                  "event log record ", pos,
                  " changes the configuration from version ",
                  g.config_previous_version(), " to ", g.config_version(),
                  ", which are not both recorded"));
              return false;
            }
          }
          for (int i = 0; i < n; ++i) {
            in[i].config = config;
            if (g.config_change()) {
              in[i].previous = previous;
              in[i].config_change = true;
              in[i].part_shard = part.shard();
              in[i].part_count = std::max<uint32_t>(1, meta.shard_count());
            }
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
  return records;
}

absl::Status WriteStartupCheckpoint(Store& store, EventLog& log,
                                    const ShardList& shards, absl::Time now) {
  const uint64_t last_pos = log.LastPosition();
  StoreBatch batch(store);
  for (auto& shard : shards) {
    CommitItem ck = shard->Checkpoint(now);
    for (auto& [k, v] : ck.shop_puts) batch.Put(Family::kShops, k, v);
    for (auto& [num, v] : ck.dedupe_puts) {
      batch.Put(Family::kDedupe, DedupeBucketKey(num), v);
    }
    for (uint64_t num : ck.dedupe_deletes) {
      batch.Delete(Family::kDedupe, DedupeBucketKey(num));
    }
  }
  store::v1::CheckpointMeta new_meta;
  new_meta.set_shard_count(static_cast<int>(shards.size()));
  for (size_t i = 0; i < shards.size(); ++i) new_meta.add_cuts(last_pos);
  batch.Put(Family::kMeta, kCheckpointMetaKey, new_meta.SerializeAsString());
  log.TruncateBefore(last_pos + 1, batch);
  absl::StatusOr<uint64_t> w = log.Append({}, batch);
  return w.status();
}

}  // namespace depositd::daemon
