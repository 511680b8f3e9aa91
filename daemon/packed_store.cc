#include "daemon/packed_store.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace depositd::daemon {

PackedStore::~PackedStore() {
  for (Block& b : blocks_) {
    if (b.data != nullptr) munmap(b.data, b.capacity);
  }
}

absl::StatusOr<uint32_t> PackedStore::NewBlock(size_t capacity, bool own) {
  void* p = mmap(nullptr, capacity, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "cannot map ", capacity, " bytes for packed shops (",
        std::strerror(errno), "; ", mapped_bytes_,
        " bytes mapped already): the machine is out of memory or address "
        "space"));
  }
  Block block;
  block.data = static_cast<char*>(p);
  block.capacity = capacity;
  block.own = own;
  mapped_bytes_ += capacity;
  if (!free_slots_.empty()) {
    const uint32_t index = free_slots_.back();
    free_slots_.pop_back();
    blocks_[index] = block;
    return index;
  }
  blocks_.push_back(block);
  return static_cast<uint32_t>(blocks_.size() - 1);
}

void PackedStore::Release(uint32_t index) {
  Block& b = blocks_[index];
  munmap(b.data, b.capacity);
  mapped_bytes_ -= b.capacity;
  b = Block();
  free_slots_.push_back(index);
  if (current_ == index) current_ = Ref::kNone;
}

absl::Status PackedStore::Put(Ref* ref, absl::string_view bytes) {
  const size_t need = Footprint(bytes.size());
  uint32_t index;
  if (need > kBlockBytes / 4) {
    absl::StatusOr<uint32_t> own = NewBlock(need, /*own=*/true);
    if (!own.ok()) return own.status();
    index = *own;
  } else {
    if (current_ == Ref::kNone ||
        blocks_[current_].used + need > blocks_[current_].capacity) {
      absl::StatusOr<uint32_t> fresh = NewBlock(kBlockBytes, /*own=*/false);
      if (!fresh.ok()) return fresh.status();
      if (current_ != Ref::kNone) {
        Block& old = blocks_[current_];
        if (old.live == 0) {
          Release(current_);
        } else if (!old.queued && old.live * 2 <= old.used) {
          old.queued = true;
          compact_queue_.push_back(current_);
        }
      }
      current_ = *fresh;
    }
    index = current_;
  }
  Block& b = blocks_[index];
  const Header h{ref, static_cast<uint32_t>(bytes.size()), 0};
  std::memcpy(b.data + b.used, &h, sizeof(h));
  if (!bytes.empty()) {
    std::memcpy(b.data + b.used + sizeof(h), bytes.data(), bytes.size());
  }
  ref->block = index;
  ref->offset = static_cast<uint32_t>(b.used + sizeof(h));
  ref->size = static_cast<uint32_t>(bytes.size());
  b.used += need;
  b.live += need;
  live_bytes_ += bytes.size();
  return absl::OkStatus();
}

absl::string_view PackedStore::Get(const Ref& ref) const {
  return absl::string_view(blocks_[ref.block].data + ref.offset, ref.size);
}

void PackedStore::Free(Ref* ref) {
  if (ref->empty()) return;
  const uint32_t index = ref->block;
  Block& b = blocks_[index];
  Ref* const none = nullptr;
  std::memcpy(b.data + ref->offset - sizeof(Header), &none, sizeof(none));
  b.live -= Footprint(ref->size);
  live_bytes_ -= ref->size;
  *ref = Ref();
  if (index == current_) return;
  if (b.live == 0) {
    Release(index);  // also drops it from the queue's view (data null)
  } else if (!b.own && !b.queued && b.live * 2 <= b.used) {
    b.queued = true;
    compact_queue_.push_back(index);
  }
}

bool PackedStore::Compact(size_t max_bytes) {
  size_t copied = 0;
  while (!compact_queue_.empty() && copied < max_bytes) {
    const uint32_t index = compact_queue_.back();
    compact_queue_.pop_back();
    if (blocks_[index].data == nullptr || !blocks_[index].queued) continue;
    blocks_[index].queued = false;
    // Blocks are mapped: `data` stays valid while Put grows blocks_.
    char* const data = blocks_[index].data;
    const size_t used = blocks_[index].used;
    for (size_t pos = 0; pos < used;) {
      Header h;
      std::memcpy(&h, data + pos, sizeof(h));
      const size_t footprint = Footprint(h.size);
      if (h.owner != nullptr) {
        const Ref old = *h.owner;
        live_bytes_ -= h.size;
        *h.owner = Ref();
        const absl::Status moved =
            Put(h.owner, absl::string_view(data + pos + sizeof(h), h.size));
        if (!moved.ok()) {
          // Blobs moved so far stay moved (their old copies are garbage);
          // this one and the rest stay here, and the block waits for a
          // later pass.
          *h.owner = old;
          live_bytes_ += h.size;
          for (size_t rest = 0; rest < pos;) {
            Header done;
            std::memcpy(&done, data + rest, sizeof(done));
            if (done.owner != nullptr && done.owner->block != index) {
              Ref* const none = nullptr;
              std::memcpy(data + rest, &none, sizeof(none));
              blocks_[index].live -= Footprint(done.size);
            }
            rest += Footprint(done.size);
          }
          blocks_[index].queued = true;
          compact_queue_.push_back(index);
          return true;
        }
        copied += footprint;
      }
      pos += footprint;
    }
    Release(index);
  }
  return !compact_queue_.empty();
}

}  // namespace depositd::daemon
