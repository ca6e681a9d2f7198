// Byte-bounded FIFO of freed blocks (see quarantine.hpp). The header's `next` links the
// FIFO from oldest (g_oldest) to newest (g_newest); `requested_bytes` plus the layout
// overhead is what a block costs, recomputed identically on the way out.
#include "debug/quarantine.hpp"

#include "debug/block_header.hpp"
#include "os/os_memory.hpp"

namespace osp::debug::quarantine {
namespace {

os::SpinLock g_lock;
BlockHeader* g_oldest = nullptr;
BlockHeader* g_newest = nullptr;
std::size_t g_bytes = 0;

std::size_t cost_of(const BlockHeader* header) noexcept {
  return header->alignment_offset + header->requested_bytes +
         tail_guard_bytes(header->requested_bytes);
}

}  // namespace

BlockHeader* push(BlockHeader* header, std::size_t limit_bytes) noexcept {
  header->next = nullptr;
  g_lock.lock();
  if (g_newest != nullptr) g_newest->next = header;
  else g_oldest = header;
  g_newest = header;
  g_bytes += cost_of(header);

  BlockHeader* leaving_first = nullptr;
  BlockHeader* leaving_last = nullptr;
  while (g_bytes > limit_bytes && g_oldest != nullptr) {
    BlockHeader* oldest = g_oldest;
    g_oldest = oldest->next;
    if (g_oldest == nullptr) g_newest = nullptr;
    g_bytes -= cost_of(oldest);
    oldest->next = nullptr;
    if (leaving_last != nullptr) leaving_last->next = oldest;
    else leaving_first = oldest;
    leaving_last = oldest;
  }
  g_lock.unlock();
  return leaving_first;
}

void for_each(void (*visit)(BlockHeader* header, void* context), void* context) noexcept {
  g_lock.lock();
  for (BlockHeader* header = g_oldest; header != nullptr; header = header->next) {
    visit(header, context);
  }
  g_lock.unlock();
}

std::size_t bytes() noexcept {
  g_lock.lock();
  std::size_t total = g_bytes;
  g_lock.unlock();
  return total;
}

void lock() noexcept { g_lock.lock(); }
void unlock() noexcept { g_lock.unlock(); }

}  // namespace osp::debug::quarantine
