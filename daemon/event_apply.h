// Applying a processing group's inputs to a shard's shops: the ONE place
// that does it, for live steps (Shard's ingest, acknowledgement and
// heartbeat tasks) and for replay (shard_replay.h) alike, so that replay
// rebuilds exactly what the live steps built.
//
// ApplyEvent: dedupe (live) or the shop's checkpoint coverage (replay) →
// find or create the shop (a new one gets the generic profile of its
// tenant) → ShopState::Apply → the profile resolved again after a
// registration → the id remembered → the shop touched (dirty, listed for
// the watchers of the step).
//
// Functions on a ShardState: not thread-safe, the shard's thread only.
#ifndef DEPOSITD_DAEMON_EVENT_APPLY_H_
#define DEPOSITD_DAEMON_EVENT_APPLY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/shard_state.h"
#include "depositd/store/v1/log.pb.h"
#include "depositd/v1/alerts.pb.h"
#include "depositd/v1/events.pb.h"

namespace depositd::daemon {

enum class ApplyMode {
  // A live step: the event was validated by Engine::Ingest
  // (ShopState::ApplyValidated); an id the shard remembers is a duplicate.
  kLive,
  // Replay of a logged group: the event was accepted once, so the dedupe
  // ids are not consulted (they may already hold it, sealed after the cut);
  // it is validated again (ShopState::Apply); a shop whose loaded
  // checkpoint covers the group (covered_seq >= the group's seq) holds it
  // already and is skipped.
  kReplay,
};

enum class EventOutcome {
  kApplied,
  kDuplicate,  // live: the id was seen inside the dedupe window
  kCovered,    // replay: the shop's checkpoint already holds it
  kRejected,   // the shop's state refused it (*rejection says why)
};

// Applies `event` (of shop hash `shop_hash`) at processing time `at` as one
// event of the group `group_seq` (replay; 0 in live steps). On kRejected,
// *rejection holds the reason and no shop changed.
EventOutcome ApplyEvent(ShardState& s, const v1::Event& event,
                        uint64_t shop_hash, absl::Time at, ApplyMode mode,
                        uint64_t group_seq, absl::Status* rejection);

// The FEED_SILENT watchdog heard `tenant` at `at`: creates its entry (a
// tenant entry with an empty shop id) if missing, else updates it, unless
// `if_missing` (then an existing entry is left alone). Appends the
// heartbeat to `log` when given (live steps). False when nothing was done.
bool ApplyHeartbeat(ShardState& s, absl::string_view tenant, bool if_missing,
                    absl::Time at, LogRecordWriter* log);

// Acknowledges the firing alert `ack.key()` at `at` in its shop's book:
// the ACKNOWLEDGED transition, nullopt when it was acknowledged already,
// NOT_FOUND when the shop is unknown or nothing with that key is firing.
// Touches nothing: the caller decides (see Shard::AckTask, ReplayGroup).
absl::StatusOr<std::optional<v1::Alert>> ApplyAck(
    ShardState& s, const store::v1::AlertAck& ack, absl::Time at,
    ShopEntry** shop);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_EVENT_APPLY_H_
