#include "daemon/dedupe.h"

#include <algorithm>
#include <utility>

#include "depositd/store/v1/checkpoint.pb.h"
#include "google/protobuf/io/coded_stream.h"

namespace depositd::daemon {

void DedupeIndex::Insert(const DedupeKey& key, absl::Time seen) {
  if (!Part(key).insert(key).second) return;
  ++size_;
  open_.keys.push_back(key);
  if (seen > open_.max_seen) open_.max_seen = seen;
}

namespace {

using google::protobuf::io::CodedOutputStream;

void PutVarint(std::string* out, uint64_t v) {
  uint8_t buf[10];
  const uint8_t* end = CodedOutputStream::WriteVarint64ToArray(v, buf);
  out->append(reinterpret_cast<const char*>(buf),
              static_cast<size_t>(end - buf));
}

// store.v1.DedupeBucket, written by hand (max_seen_nanos = 1, varint;
// keys = 2, packed fixed64) straight from the keys: building the message
// first held two more copies of them.
std::string SerializeBucket(absl::Time max_seen, const DedupeKey* keys,
                            size_t n) {
  std::string out;
  out.reserve(1 + 10 + 1 + 10 + 16 * n);
  const int64_t nanos = absl::ToUnixNanos(max_seen);
  if (nanos != 0) {
    out.push_back(0x08);
    PutVarint(&out, static_cast<uint64_t>(nanos));
  }
  out.push_back(0x12);
  PutVarint(&out, 16 * n);
  const size_t at = out.size();
  out.resize(at + 16 * n);
  char* p = &out[at];
  auto store64 = [](char* to, uint64_t v) {  // fixed64: little-endian
    for (int i = 0; i < 8; ++i) to[i] = static_cast<char>(v >> (8 * i));
  };
  for (size_t i = 0; i < n; ++i) {
    store64(p, keys[i].shop_hash);
    store64(p + 8, keys[i].id_hash);
    p += 16;
  }
  return out;
}

}  // namespace

void DedupeIndex::Seal() {
  if (open_.keys.empty()) return;
  open_.keys.shrink_to_fit();
  open_.serial = ++last_serial_;
  untaken_.push_back(Untaken{open_.serial, 0});
  sealed_.push_back(std::move(open_));
  open_ = Generation();
}

std::string DedupeIndex::TakeSealedPiece(size_t max_ids, absl::Time* max_seen) {
  while (!untaken_.empty()) {
    Untaken& u = untaken_.front();
    // Recent generations are at the back of sealed_.
    const Generation* g = nullptr;
    for (auto it = sealed_.rbegin(); it != sealed_.rend(); ++it) {
      if (it->serial == u.serial) {
        g = &*it;
        break;
      }
    }
    if (g == nullptr || u.next >= g->keys.size()) {  // expired, or done
      untaken_.pop_front();
      continue;
    }
    const size_t n =
        std::min(std::max<size_t>(max_ids, 1), g->keys.size() - u.next);
    *max_seen = g->max_seen;
    std::string out = SerializeBucket(g->max_seen, g->keys.data() + u.next, n);
    u.next += n;
    if (u.next == g->keys.size()) untaken_.pop_front();
    return out;
  }
  return std::string();
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
