// Lookups in a MemoryMap, the same on every platform (the regions are sorted by start
// address, without overlaps, however the platform read them).
#include "report/memory_map.hpp"

namespace osp::report {

const MemoryRegion* MemoryMap::find_at_or_after(std::uintptr_t address) const noexcept {
  // First region whose end is above `address`.
  std::size_t low = 0;
  std::size_t high = count_;
  while (low < high) {
    std::size_t middle = low + (high - low) / 2;
    if (regions_[middle].end <= address) low = middle + 1;
    else high = middle;
  }
  return low < count_ ? &regions_[low] : nullptr;
}

const MemoryRegion* MemoryMap::find(std::uintptr_t address) const noexcept {
  const MemoryRegion* region = find_at_or_after(address);
  return region != nullptr && region->start <= address ? region : nullptr;
}

}  // namespace osp::report
