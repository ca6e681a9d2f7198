#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "memory_pool.hpp"
#include "os/os_memory.hpp"
#include "pool/buddy_allocator.hpp"

namespace {

using os_memory::pool::MemoryPool;
constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::size_t kBlockBytes = 64 * kMiB;
using osp::pool::BuddyAllocator;

#if defined(__linux__)
// Bytes of the freed blocks still resident, page by page (mincore). Only the pool's own
// pages count: the process's resident set also holds what a sanitizer keeps for the bytes
// the test wrote (ASan's shadow is an eighth of them). A block whose arena went back to
// the OS is not mapped at all (ENOMEM): none of it is resident.
std::size_t resident_bytes_of(const std::vector<void*>& blocks) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> pages(kBlockBytes / page);
  std::size_t resident = 0;
  for (void* block : blocks) {
    if (mincore(block, kBlockBytes, pages.data()) != 0) continue;
    for (unsigned char state : pages) resident += (state & 1) != 0 ? page : 0;
  }
  return resident;
}
#endif

TEST(ResidentMemory, DropsAfterFreeingOneGibibyteOfMediumBlocks) {
  const std::size_t baseline = osp::os::resident_bytes();
  if (baseline == 0) GTEST_SKIP() << "resident set size is not readable here";
  std::vector<void*> blocks;
  for (int i = 0; i < 16; ++i) {
    void* block = MemoryPool::allocate(kBlockBytes);
    ASSERT_NE(block, nullptr);
    ASSERT_EQ(MemoryPool::tier_of(block), os_memory::Tier::Medium);
    std::memset(block, 0x11, kBlockBytes);
    blocks.push_back(block);
  }
  const std::size_t peak = osp::os::resident_bytes();
  EXPECT_GE(peak, baseline + 900 * kMiB);
#if defined(__linux__)
  EXPECT_EQ(resident_bytes_of(blocks), 16 * kBlockBytes) << "every written page is resident";
#endif
  for (void* block : blocks) MemoryPool::deallocate(block);
#if defined(__linux__)
  EXPECT_LE(resident_bytes_of(blocks), BuddyAllocator::kRetainedBytes) << "freed Medium pages must go back to the OS";
#else
  const std::size_t after = osp::os::resident_bytes();
  EXPECT_LE(after, baseline + 100 * kMiB) << "freed Medium pages must go back to the OS";
#endif
}

}  // namespace
