#include "daemon/packed_shops.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "daemon/log.h"
#include "google/protobuf/io/coded_stream.h"

namespace depositd::daemon {
namespace {

bool ReadChunk(absl::string_view* in, absl::string_view* chunk) {
  google::protobuf::io::CodedInputStream s(
      reinterpret_cast<const uint8_t*>(in->data()),
      static_cast<int>(in->size()));
  uint64_t n = 0;
  if (!s.ReadVarint64(&n)) return false;
  in->remove_prefix(static_cast<size_t>(s.CurrentPosition()));
  if (n > in->size()) return false;
  *chunk = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

}  // namespace

void PackedShops::AppendChunk(std::string* out, absl::string_view bytes) {
  uint8_t buf[10];
  const uint8_t* end =
      google::protobuf::io::CodedOutputStream::WriteVarint64ToArray(
          bytes.size(), buf);
  out->append(reinterpret_cast<const char*>(buf),
              static_cast<size_t>(end - buf));
  out->append(bytes.data(), bytes.size());
}

ShopEntry* PackedShops::Unpack(ShopEntry* e) {
  if (e->live) return e;
  absl::string_view in = store_.Get(e->packed);
  absl::string_view head;
  absl::StatusOr<watchers::ShopState> state =
      ReadChunk(&in, &head) ? watchers::ShopState::Parse(head)
                            : absl::DataLossError("no head chunk");
  for (uint32_t i = 0; state.ok() && !in.empty(); ++i) {
    absl::string_view bytes;
    absl::Status s = ReadChunk(&in, &bytes)
                         ? state->AddPage(state->PageAt(i), bytes)
                         : absl::DataLossError("truncated page chunk");
    if (!s.ok()) state = s;
  }
  if (!state.ok()) {
    // The bytes were made by this process from a state it held (or read
    // and checked at start-up): this is memory corruption, and going on
    // would apply events to a wrong state. The log and checkpoints on disk
    // are intact; a restart recovers from them.
    Log(LogLevel::kFatal, "shard",
        absl::StrCat("packed shop ", absl::CEscape(e->key),
                     " does not unpack (", state.status().message(),
                     "); aborting, restart to recover from the store"));
    std::abort();
  }
  state->ForgetDirtyPages();  // the packed form equals the checkpoint
  e->state = *std::move(state);
  e->live = true;
  --count_;
  return e;
}

bool PackedShops::Packable(const ShopEntry& e, int64_t now_nanos,
                           bool ignore_idle) const {
  if (!e.live || e.dirty || e.feed) return false;
  if (ignore_idle) return true;
  return pack_idle_ > absl::ZeroDuration() &&
         now_nanos - e.last_used >= absl::ToInt64Nanoseconds(pack_idle_);
}

bool PackedShops::Pack(ShopEntry* e) {
  if (e->packed.empty()) {
    std::string bytes;
    AppendChunk(&bytes, e->state.SerializeHead());
    for (uint32_t p : e->state.Pages()) {
      AppendChunk(&bytes, e->state.SerializePage(p));
    }
    const absl::Status put = store_.Put(&e->packed, bytes);
    if (!put.ok()) {
      // The shop stays live: packing only saves memory. One line per pass
      // at most (Slice stops the pass).
      LogWarning("shard",
                 absl::StrCat("shard ", shard_,
                              " keeps idle shops live: ", put.ToString()));
      return false;
    }
  }
  { watchers::ShopState freed(std::move(e->state)); }
  e->live = false;
  ++count_;
  return true;
}

absl::Status PackedShops::PackLoaded(ShopEntry* e, absl::string_view bytes) {
  absl::Status put = store_.Put(&e->packed, bytes);
  if (!put.ok()) return put;
  Pack(e);  // has its bytes: cannot fail
  return absl::OkStatus();
}

void PackedShops::StartPass() {
  if (!pass_active_ && pack_idle_ > absl::ZeroDuration()) {
    pass_active_ = true;
    cursor_.clear();
  }
}

void PackedShops::Slice(const ShopTable& shops, int64_t now_nanos) {
  const absl::Time start = absl::Now();
  store_.Compact(kCompactPerSlice);
  const ShopTable::Ordered& ordered = shops.ordered();
  auto it = cursor_.empty() ? ordered.begin() : ordered.upper_bound(cursor_);
  int seen = 0;
  for (; it != ordered.end(); ++it) {
    ShopEntry* e = it->second;
    if (Packable(*e, now_nanos, /*ignore_idle=*/false) && !Pack(e)) break;
    if (++seen % 64 == 0 && absl::Now() - start >= kPackSliceTime) {
      cursor_.assign(it->first.data(), it->first.size());
      last_slice_ = absl::Now();
      return;
    }
  }
  pass_active_ = false;
  cursor_.clear();
  last_slice_ = absl::Now();
}

int64_t PackedShops::PackAll(const ShopTable& shops, int64_t now_nanos,
                             bool ignore_idle) {
  int64_t n = 0;
  for (auto& [k, e] : shops.ordered()) {
    if (Packable(*e, now_nanos, ignore_idle)) {
      if (!Pack(e)) break;
      ++n;
    }
  }
  return n;
}

}  // namespace depositd::daemon
