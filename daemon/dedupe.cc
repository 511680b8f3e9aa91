#include "daemon/dedupe.h"

#include <utility>

#include "depositd/store/v1/checkpoint.pb.h"

namespace depositd::daemon {

void DedupeIndex::Insert(const DedupeKey& key, absl::Time seen) {
  if (!Part(key).insert(key).second) return;
  ++size_;
  open_.keys.push_back(key);
  if (seen > open_.max_seen) open_.max_seen = seen;
}

std::string DedupeIndex::SealForCheckpoint(absl::Time* max_seen) {
  if (open_.keys.empty()) return std::string();
  *max_seen = open_.max_seen;
  store::v1::DedupeBucket bucket;
  bucket.set_max_seen_nanos(absl::ToUnixNanos(open_.max_seen));
  auto* keys = bucket.mutable_keys();
  keys->Reserve(static_cast<int>(open_.keys.size() * 2));
  for (const DedupeKey& k : open_.keys) {
    keys->AddAlreadyReserved(k.shop_hash);
    keys->AddAlreadyReserved(k.id_hash);
  }
  std::string out = bucket.SerializeAsString();
  open_.keys.shrink_to_fit();
  sealed_.push_back(std::move(open_));
  open_ = Generation();
  return out;
}

void DedupeIndex::AddSealed(absl::Time max_seen,
                            const std::vector<DedupeKey>& keys) {
  Generation g;
  g.max_seen = max_seen;
  g.keys.reserve(keys.size());
  for (const DedupeKey& k : keys) {
    if (Part(k).insert(k).second) {
      ++size_;
      g.keys.push_back(k);
    }
  }
  // Keep sealed_ roughly ordered by time: loaded buckets come before any
  // live generation, so appending in load order is fine.
  sealed_.push_back(std::move(g));
}

size_t DedupeIndex::ExpireBefore(absl::Time cutoff) {
  size_t forgotten = 0;
  for (auto it = sealed_.begin(); it != sealed_.end();) {
    if (it->max_seen < cutoff) {
      for (const DedupeKey& k : it->keys) forgotten += Part(k).erase(k);
      it = sealed_.erase(it);
    } else {
      ++it;
    }
  }
  size_ -= forgotten;
  return forgotten;
}

absl::Status DedupeIndex::ParseBucket(absl::string_view bytes,
                                      absl::Time* max_seen,
                                      std::vector<DedupeKey>* keys) {
  store::v1::DedupeBucket bucket;
  if (!bucket.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
      bucket.keys_size() % 2 != 0) {
    return absl::DataLossError("corrupt dedupe bucket");
  }
  *max_seen = absl::FromUnixNanos(bucket.max_seen_nanos());
  keys->clear();
  keys->reserve(bucket.keys_size() / 2);
  for (int i = 0; i < bucket.keys_size(); i += 2) {
    keys->push_back(DedupeKey{bucket.keys(i), bucket.keys(i + 1)});
  }
  return absl::OkStatus();
}

}  // namespace depositd::daemon
