#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "global_allocator_api.hpp"
#include "memory_tracker.hpp"

namespace {

using os_memory::tracker::MemoryTracker;
using os_memory::tracker::TrackedBlock;

struct Seen {
  std::vector<TrackedBlock> blocks;
};

// The report goes to a file descriptor: give it an anonymous temporary file and read back
// what it wrote.
std::string capture_report() {
  std::FILE* file = std::tmpfile();
  if (file == nullptr) {
    ADD_FAILURE() << "cannot create a temporary file";
    return {};
  }
  MemoryTracker::get().report(fileno(file));
  std::rewind(file);
  std::string text;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof(buffer), file)) > 0;) text.append(buffer, n);
  std::fclose(file);
  return text;
}

TEST(MemoryTracker, ReportsExactlyTheBlocksLeftLiveWithTheirFileAndLine) {
  os_memory::api::enable_memory_tracking(true);
  const std::size_t before = MemoryTracker::get().live_block_count();
  void* kept_one = ALLOCATE(100);
  const int kept_one_line = __LINE__ - 1;
  void* freed = ALLOCATE(200);
  void* kept_two = ALLOCATE_ALIGNED(300, 4096);
  const int kept_two_line = __LINE__ - 1;
  DEALLOCATE(freed);

  EXPECT_EQ(MemoryTracker::get().live_block_count(), before + 2);
  Seen seen;
  MemoryTracker::get().for_each_live_block(
      [](const TrackedBlock& block, void* context) { static_cast<Seen*>(context)->blocks.push_back(block); }, &seen);
  int matched = 0;
  for (const TrackedBlock& block : seen.blocks) {
    if (block.address == kept_one) {
      EXPECT_EQ(block.size, 100u);
      EXPECT_STREQ(block.file, __FILE__);
      EXPECT_EQ(block.line, kept_one_line);
      ++matched;
    } else if (block.address == kept_two) {
      EXPECT_EQ(block.size, 300u);
      EXPECT_EQ(block.line, kept_two_line);
      ++matched;
    }
    EXPECT_NE(block.address, freed);
  }
  EXPECT_EQ(matched, 2);

  const std::string report = capture_report();
  EXPECT_NE(report.find(std::string(__FILE__) + ":" + std::to_string(kept_one_line)), std::string::npos) << report;
  EXPECT_NE(report.find(std::string(__FILE__) + ":" + std::to_string(kept_two_line)), std::string::npos) << report;

  DEALLOCATE(kept_one);
  DEALLOCATE(kept_two);
  EXPECT_EQ(MemoryTracker::get().live_block_count(), before);
  os_memory::api::disable_memory_tracking();
}

TEST(MemoryTracker, OffMeansNothingIsRecorded) {
  os_memory::api::disable_memory_tracking();
  const std::size_t before = MemoryTracker::get().live_block_count();
  void* block = ALLOCATE(64);
  EXPECT_EQ(MemoryTracker::get().live_block_count(), before);
  DEALLOCATE(block);
}

}  // namespace
