// The memory map on Windows (see memory_map.hpp): VirtualQuery from the lowest address
// to the highest, one region per run of pages with the same state and protection. Only
// committed pages are listed; guard pages (a thread stack's PAGE_GUARD page) and
// PAGE_NOACCESS pages are not readable, so the scan never touches them (touching a guard
// page would move the stack's guard).
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "report/memory_map.hpp"

#include <cstring>

namespace osp::report {
namespace {

constexpr std::size_t kInitialRegionCapacity = 4096;
constexpr DWORD kReadable = PAGE_READONLY | PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READ |
                            PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY;
constexpr DWORD kWritable = PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY;

}  // namespace

bool MemoryMap::load(ScratchArena& arena) noexcept {
  std::size_t capacity = kInitialRegionCapacity;
  regions_ = arena.allocate_array<MemoryRegion>(capacity);
  if (regions_ == nullptr) return false;
  count_ = 0;
  SYSTEM_INFO system;
  GetSystemInfo(&system);
  auto address = reinterpret_cast<std::uintptr_t>(system.lpMinimumApplicationAddress);
  const auto highest = reinterpret_cast<std::uintptr_t>(system.lpMaximumApplicationAddress);
  MEMORY_BASIC_INFORMATION facts;
  while (address < highest &&
         VirtualQuery(reinterpret_cast<const void*>(address), &facts, sizeof facts) == sizeof facts) {
    const auto start = reinterpret_cast<std::uintptr_t>(facts.BaseAddress);
    const std::uintptr_t end = start + facts.RegionSize;
    if (end <= address) break;
    if (facts.State == MEM_COMMIT) {
      const DWORD protection = facts.Protect;
      const bool accessible = (protection & (PAGE_GUARD | PAGE_NOACCESS)) == 0;
      if (count_ == capacity) {
        auto* grown = arena.allocate_array<MemoryRegion>(capacity * 2);
        if (grown == nullptr) return false;
        std::memcpy(grown, regions_, count_ * sizeof(MemoryRegion));
        regions_ = grown;
        capacity *= 2;
      }
      regions_[count_++] = {start, end, accessible && (protection & kReadable) != 0,
                            accessible && (protection & kWritable) != 0};
    }
    address = end;
  }
  return count_ != 0;
}

}  // namespace osp::report
