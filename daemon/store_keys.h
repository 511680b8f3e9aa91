// Every key layout of the store, in one place: the families' keys (see the
// key table in store.h) and the functions that build and read them. Nothing
// else in daemon/ spells a key by hand.
//
//   family   key                                  built by
//   -------  -----------------------------------  --------------------------
//   default  "checkpoint"                         kCheckpointMetaKey
//   default  "silence/" id                        SilenceKey
//   default  "sink_cursor/" sink name             SinkCursorKey
//   default  "console_session/" sha256 hex of id  ConsoleSessionKey
//   log      position, 8-byte big-endian          LogPositionKey
//   alerts   sequence, 8-byte big-endian          AlertSequenceKey
//   shops    tenant "\0" shop_id                  ShopKey
//   shops    tenant "\0" shop_id "\0" page (4-byte big-endian)  PageKey
//   dedupe   bucket number, 8-byte big-endian     DedupeBucketKey
//
// Big-endian numbers sort numerically, so ranges scan in order; a shop's
// pages sort right after the shop, in page order (ids never contain '\0').
//
// Pure functions, thread-safe.
#ifndef DEPOSITD_DAEMON_STORE_KEYS_H_
#define DEPOSITD_DAEMON_STORE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace depositd::daemon {

// 8-byte big-endian encoding of a number (sorts numerically).
std::string EncodeBigEndian64(uint64_t v);
// Inverse; 0 if `key` is not 8 bytes.
uint64_t DecodeBigEndian64(absl::string_view key);

// default (meta) family.
inline constexpr absl::string_view kCheckpointMetaKey = "checkpoint";
inline constexpr absl::string_view kSilenceKeyPrefix = "silence/";
inline constexpr absl::string_view kSinkCursorKeyPrefix = "sink_cursor/";
// A persisted silence (store.v1.SilenceRecord).
std::string SilenceKey(absl::string_view silence_id);
// A sink's delivery cursor (value: 8-byte big-endian alert sequence).
std::string SinkCursorKey(absl::string_view sink_name);
// A console session (store.v1.ConsoleSession), by the SHA-256 (hex) of its
// id; the prefix scans them all.
inline constexpr absl::string_view kConsoleSessionKeyPrefix =
    "console_session/";
std::string ConsoleSessionKey(absl::string_view id_sha256_hex);
// A recorded configuration version (value: depositd.v1.DaemonConfig);
// config_versions.h. The prefix sorts them by version.
inline constexpr absl::string_view kConfigVersionKeyPrefix = "config/";
std::string ConfigVersionKey(uint64_t version);
// The configuration version every shard has applied (value: 8-byte
// big-endian version).
inline constexpr absl::string_view kConfigAppliedKey = "config_applied";

// log, alerts and dedupe families: numbers.
inline std::string LogPositionKey(uint64_t position) {
  return EncodeBigEndian64(position);
}
inline std::string AlertSequenceKey(uint64_t sequence) {
  return EncodeBigEndian64(sequence);
}
inline std::string DedupeBucketKey(uint64_t bucket) {
  return EncodeBigEndian64(bucket);
}

// shops family. "tenant\0shop_id" (a tenant's FEED_SILENT watchdog entry
// has an empty shop_id).
std::string ShopKey(absl::string_view tenant, absl::string_view shop_id);
// The same, written into *out (its old content replaced); for lookups on
// the hot path, which reuse one buffer.
void AssignShopKey(std::string* out, absl::string_view tenant,
                   absl::string_view shop_id);
// The store key of a shop's page (an order or a record page, see
// ShopState::SerializeHead): ShopKey "\0" big-endian page number.
std::string PageKey(absl::string_view shop_key, uint32_t page);

// A shops-family key, read back. `shop_key` is the ShopKey part (views into
// the key given to ParseShopsKey).
struct ShopsKey {
  absl::string_view tenant;
  absl::string_view shop_id;
  absl::string_view shop_key;
  int64_t page = -1;  // -1: the shop's own checkpoint; else a page number
};
// DATA_LOSS when `key` is neither a ShopKey nor a PageKey.
absl::StatusOr<ShopsKey> ParseShopsKey(absl::string_view key);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_STORE_KEYS_H_
