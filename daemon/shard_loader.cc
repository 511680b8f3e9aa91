#include "daemon/shard_loader.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daemon/log.h"
#include "daemon/stable_hash.h"
#include "depositd/store/v1/checkpoint.pb.h"
#include "google/protobuf/arena.h"

namespace depositd::daemon {

absl::Status ShardLoader::LoadShop(absl::string_view key,
                                   absl::string_view bytes) {
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
  const watchers::ProfileRegistry& registry = *s_.ctx.registry;
  absl::StatusOr<const watchers::ResolvedProfile*> profile = registry.Resolve(
      state->tenant(), state->shop_id(), state->profile_name());
  std::string resolved_for = state->profile_name();
  if (!profile.ok()) {
    resolved_for.clear();
    LogWarning("recovery",
               absl::StrCat("shop ", state->tenant(), "/", state->shop_id(),
                            " uses profile \"", state->profile_name(),
                            "\", which the configuration no longer defines; "
                            "using generic"));
    profile = registry.Resolve(state->tenant(), state->shop_id(), "");
    if (!profile.ok()) return profile.status();
  }
  ShopEntry* e =
      s_.shops.Insert(key, hash, *std::move(state), *profile, resolved_for);
  std::vector<v1::Alert> active(cp.active_alerts().begin(),
                                cp.active_alerts().end());
  e->alerts.Restore(std::move(active));
  e->feed = cp.feed();
  e->feed_heard = cp.feed_heard_nanos();
  e->covered_seq = cp.covered_seq();
  s_.index.Loaded(e);  // no-op for a watchdog entry
  pages_missing_ += e->state.pages_expected();
  s_.max_seq_seen = std::max(s_.max_seq_seen, cp.covered_seq());
  if (cp.next_check_nanos() != 0) {
    e->next_check = cp.next_check_nanos();
    s_.deadlines.insert({e->next_check, e});
  }
  loading_ = nullptr;
  if (s_.ctx.pack_idle > absl::ZeroDuration() && !e->feed) {
    // The checkpoint's bytes are the packed form: the head now, its pages
    // as they load (LoadPage); packed once the last one is in.
    loading_bytes_.clear();
    PackedShops::AppendChunk(&loading_bytes_, cp.state());
    loading_ = e;
    loading_page_ = 0;
    if (e->state.pages_expected() == 0) return FinishLoading();
  }
  return absl::OkStatus();
}

absl::Status ShardLoader::LoadPage(absl::string_view key, uint32_t page,
                                   absl::string_view bytes) {
  ShopEntry* e = s_.shops.FindKey(key);
  if (e == nullptr) {
    return absl::DataLossError("a page without its shop checkpoint");
  }
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
    PackedShops::AppendChunk(&loading_bytes_, bytes);
    if (loading_page_ == state.pages_expected()) return FinishLoading();
    return absl::OkStatus();
  }
  absl::Status s = state.AddPage(page, bytes);
  if (!s.ok()) return s;
  state.ForgetDirtyPages();  // it is on disk
  --pages_missing_;
  return absl::OkStatus();
}

absl::Status ShardLoader::FinishLoading() {
  absl::Status put = s_.packed.PackLoaded(loading_, loading_bytes_);
  if (!put.ok()) return put;
  loading_ = nullptr;
  loading_bytes_.clear();
  return absl::OkStatus();
}

absl::Status ShardLoader::CheckLoaded() const {
  if (pages_missing_ == 0) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      pages_missing_, " pages announced by shop checkpoints are missing"));
}

void ShardLoader::LoadDedupe(absl::Time max_seen,
                             const std::vector<DedupeKey>& keys) {
  s_.dedupe.AddSealed(max_seen, keys);
}

void ShardLoader::AdoptBucket(uint64_t number, absl::Time max_seen) {
  s_.owned_buckets.emplace_back(number, max_seen);
}

}  // namespace depositd::daemon
