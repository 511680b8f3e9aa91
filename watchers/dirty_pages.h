// Private to watchers/: the checkpoint pages of a shop changed since they
// were last taken (ShopState::TakeDirtyPages).
#ifndef DEPOSITD_WATCHERS_DIRTY_PAGES_H_
#define DEPOSITD_WATCHERS_DIRTY_PAGES_H_

#include <cstdint>
#include <vector>

namespace depositd::watchers {

// Checkpoint pages changed since they were last taken, each listed once.
// Not thread-safe; owned by one shop.
struct DirtyPages {
  std::vector<uint32_t> list;
  std::vector<bool> marked;
  void Mark(uint32_t page) {
    if (page >= marked.size()) marked.resize(page + 1, false);
    if (!marked[page]) {
      marked[page] = true;
      list.push_back(page);
    }
  }
  std::vector<uint32_t> Take() {
    std::vector<uint32_t> out;
    out.swap(list);
    for (uint32_t p : out) marked[p] = false;
    return out;
  }
};

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_DIRTY_PAGES_H_
