#include "daemon/shop_table.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

#include "daemon/store_keys.h"

namespace depositd::daemon {

ShopTable::~ShopTable() {
  for (size_t b = 0; b < entry_blocks_.size(); ++b) {
    const size_t n = b + 1 == entry_blocks_.size() ? entries_in_last_block_
                                                   : kEntriesPerBlock;
    auto* entries = reinterpret_cast<ShopEntry*>(entry_blocks_[b].get());
    for (size_t i = 0; i < n; ++i) entries[i].~ShopEntry();
  }
}

ShopEntry* ShopTable::Find(absl::string_view tenant,
                           absl::string_view shop_id) {
  AssignShopKey(&key_scratch_, tenant, shop_id);
  return FindKey(key_scratch_);
}

ShopEntry* ShopTable::FindKey(absl::string_view key) const {
  auto it = shops_.find(key);
  return it == shops_.end() ? nullptr : it->second;
}

ShopEntry* ShopTable::Insert(absl::string_view key, uint64_t hash,
                             watchers::ShopState state,
                             const watchers::ResolvedProfile* profile,
                             absl::string_view resolved_for) {
  if (key.size() > key_block_size_ - key_block_used_) {
    key_block_size_ = std::max(kKeyBlockBytes, key.size());
    key_blocks_.push_back(std::make_unique<char[]>(key_block_size_));
    key_block_used_ = 0;
  }
  char* key_copy = key_blocks_.back().get() + key_block_used_;
  std::memcpy(key_copy, key.data(), key.size());
  key_block_used_ += key.size();
  if (entries_in_last_block_ == kEntriesPerBlock) {
    entry_blocks_.push_back(std::make_unique<unsigned char[]>(
        kEntriesPerBlock * sizeof(ShopEntry)));
    entries_in_last_block_ = 0;
  }
  void* slot =
      entry_blocks_.back().get() + entries_in_last_block_ * sizeof(ShopEntry);
  ShopEntry* e = new (slot) ShopEntry(absl::string_view(key_copy, key.size()),
                                      hash, std::move(state));
  ++entries_in_last_block_;
  e->profile = profile;
  e->profile_name = std::string(resolved_for);
  shops_.emplace(e->key, e);
  ordered_.emplace(e->key, e);
  return e;
}

}  // namespace depositd::daemon
