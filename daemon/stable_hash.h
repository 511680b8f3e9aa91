// Stable hashes for routing and deduplication. They must give the same value
// in every build and run (they decide which shard owns a shop, and dedupe
// keys are persisted), so absl::Hash / std::hash (seeded per process or
// unspecified) are not usable here.
#ifndef DEPOSITD_DAEMON_STABLE_HASH_H_
#define DEPOSITD_DAEMON_STABLE_HASH_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace depositd::daemon {

inline constexpr uint64_t kFnvOffset = 14695981039346656037ull;
inline constexpr uint64_t kFnvPrime = 1099511628211ull;

// FNV-1a 64 over `s`, continuing from `h`.
inline uint64_t Fnv1a64(absl::string_view s, uint64_t h = kFnvOffset) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

// splitmix64 finalizer: spreads FNV's weak low bits over all 64.
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// Hash of a shop (tenant, shop_id): picks the shard, and is the first half
// of every dedupe key of the shop's events.
inline uint64_t ShopHash(absl::string_view tenant, absl::string_view shop_id) {
  uint64_t h = Fnv1a64(tenant);
  h ^= 0xff;  // separator that cannot occur inside UTF-8 text
  h *= kFnvPrime;
  return Mix64(Fnv1a64(shop_id, h));
}

// Hash of an event id inside a shop (second half of the dedupe key). Seeded
// differently from ShopHash so the two halves are independent.
inline uint64_t EventIdHash(uint64_t shop_hash, absl::string_view event_id) {
  return Mix64(Fnv1a64(event_id, shop_hash ^ 0x9e3779b97f4a7c15ull));
}

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_STABLE_HASH_H_
