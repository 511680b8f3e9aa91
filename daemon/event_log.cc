#include "daemon/event_log.h"

#include <utility>

#include "daemon/store_keys.h"

namespace depositd::daemon {

absl::StatusOr<std::unique_ptr<RocksDbEventLog>> RocksDbEventLog::Create(
    Store* store, bool sync) {
  absl::StatusOr<std::optional<std::string>> last =
      store->LastKey(Family::kLog);
  if (!last.ok()) return last.status();
  const uint64_t pos = last->has_value() ? DecodeBigEndian64(**last) : 0;
  return std::unique_ptr<RocksDbEventLog>(
      new RocksDbEventLog(store, sync, pos));
}

absl::StatusOr<uint64_t> RocksDbEventLog::Append(
    absl::Span<const RecordPieces> records, StoreBatch& side_effects) {
  uint64_t pos = last_.load(std::memory_order_relaxed);
  for (const RecordPieces& r : records) {
    side_effects.PutParts(Family::kLog, LogPositionKey(++pos), r);
  }
  if (side_effects.Count() == 0) return pos;
  absl::Status s = store_->Write(side_effects, sync_);
  if (!s.ok()) return s;
  last_.store(pos, std::memory_order_release);
  return pos;
}

absl::Status RocksDbEventLog::ReadFrom(
    uint64_t from,
    const std::function<bool(uint64_t, absl::string_view)>& fn) const {
  return store_->Scan(Family::kLog, LogPositionKey(from),
                      [&](absl::string_view key, absl::string_view value) {
                        return fn(DecodeBigEndian64(key), value);
                      });
}

void RocksDbEventLog::TruncateBefore(uint64_t position, StoreBatch& batch) {
  if (position <= 1) return;
  batch.DeleteRange(Family::kLog, LogPositionKey(0), LogPositionKey(position));
}

uint64_t RocksDbEventLog::LastPosition() const {
  return last_.load(std::memory_order_acquire);
}

}  // namespace depositd::daemon
