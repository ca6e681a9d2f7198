#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "memory_pool.hpp"
#include "os/os_memory.hpp"

namespace {

using os_memory::pool::MemoryPool;
constexpr std::size_t kMiB = std::size_t{1} << 20;

TEST(ResidentMemory, DropsAfterFreeingOneGibibyteOfMediumBlocks) {
  const std::size_t baseline = osp::os::resident_bytes();
  if (baseline == 0) GTEST_SKIP() << "resident set size is not readable here";
  std::vector<void*> blocks;
  for (int i = 0; i < 16; ++i) {
    void* block = MemoryPool::allocate(64 * kMiB);
    ASSERT_NE(block, nullptr);
    ASSERT_EQ(MemoryPool::tier_of(block), os_memory::Tier::Medium);
    std::memset(block, 0x11, 64 * kMiB);
    blocks.push_back(block);
  }
  const std::size_t peak = osp::os::resident_bytes();
  EXPECT_GE(peak, baseline + 900 * kMiB);
  for (void* block : blocks) MemoryPool::deallocate(block);
  const std::size_t after = osp::os::resident_bytes();
  EXPECT_LE(after, baseline + 100 * kMiB) << "freed Medium pages must go back to the OS";
}

}  // namespace
