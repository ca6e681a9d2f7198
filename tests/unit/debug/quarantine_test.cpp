// The quarantine's per-thread staging: blocks a thread has freed but not yet moved into
// the FIFO are still checked by the heap check, join the FIFO when the thread exits, and
// survive fork in the child. Runs with quarantine_mb=1 (see CMakeLists.txt).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "debug/block_header.hpp"
#include "debug/debug_heap.hpp"
#include "debug/error_log.hpp"
#include "debug/quarantine.hpp"
#include "logged_errors.hpp"

namespace osp::debug {
namespace {

using api::AllocationKind;

constexpr std::size_t kBlockBytes = 1000;
// What one such block costs the quarantine: header and front guard, user bytes, tail guard.
constexpr std::size_t kBlockCost = front_offset(kMinimumUserAlignment) + kBlockBytes +
                                   tail_guard_bytes(kBlockBytes);


// A thread that frees `staged` blocks, which stay in its staging chunk (fewer than a
// chunk holds), and waits to be let go.
class StagingThread {
 public:
  explicit StagingThread(int staged) {
    thread_ = std::thread([this, staged] {
      std::vector<void*> blocks;
      blocks.reserve(staged);  // no reallocation, so no other free is staged
      for (int index = 0; index < staged; ++index) {
        blocks.push_back(
            allocate({kBlockBytes, 16, AllocationKind::Malloc, "staging", 2, 0, false}));
      }
      // Everything this thread allocates from here on happened before: measure now.
      {
        std::unique_lock<std::mutex> lock(mutex_);
        bytes_before_staging_ = quarantine::bytes();
      }
      for (void* block : blocks) deallocate(block, AllocationKind::Malloc, 0);
      std::unique_lock<std::mutex> lock(mutex_);
      staged_blocks_ = blocks;
      done_ = true;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
    });
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return done_; });
  }
  void release_and_join() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  std::size_t bytes_before_staging() const { return bytes_before_staging_; }
  const std::vector<void*>& staged_blocks() const { return staged_blocks_; }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool done_ = false;
  bool released_ = false;
  std::size_t bytes_before_staging_ = 0;
  std::vector<void*> staged_blocks_;
  std::thread thread_;
};

TEST(QuarantineStaging, StagedBlocksOfARunningThreadAreCheckedByTheHeapCheck) {
  StagingThread thread(2);
  auto* freed = static_cast<char*>(thread.staged_blocks().back());
  ASSERT_EQ(static_cast<unsigned char>(freed[10]), kFreedFillByte);
  const std::size_t before = logged_errors().size();
  freed[10] = 0x42;  // a write after free into a block that is only staged
  EXPECT_EQ(check_heap("in a test", 0), 1u);
  std::vector<ErrorRecord> log = logged_errors();
  ASSERT_EQ(log.size(), before + 1);
  EXPECT_EQ(log.back().kind, ErrorKind::UseAfterFree);
  EXPECT_EQ(log.back().block_address, reinterpret_cast<std::uintptr_t>(freed));
  EXPECT_EQ(log.back().address, reinterpret_cast<std::uintptr_t>(freed + 10));
  freed[10] = static_cast<char>(kFreedFillByte);  // repaired: quiet when it leaves
  EXPECT_EQ(check_heap("in a test", 0), 0u);
  thread.release_and_join();
}

TEST(QuarantineStaging, AThreadsStagedBlocksJoinTheFifoWhenItExits) {
  StagingThread thread(3);
  // Staged blocks are not in the FIFO yet; nothing else frees meanwhile.
  EXPECT_EQ(quarantine::bytes(), thread.bytes_before_staging());
  thread.release_and_join();
  // Its last frees (the thread's own bookkeeping) join the FIFO with them.
  EXPECT_GE(quarantine::bytes(), thread.bytes_before_staging() + 3 * kBlockCost);
}

TEST(QuarantineStaging, TheChildOfAForkKeepsTheBlocksOtherThreadsStaged) {
  StagingThread thread(2);
  // Its two staged blocks are not in the FIFO here, and nothing frees until fork.
  const std::size_t expected = quarantine::bytes() + 2 * kBlockCost;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only this thread exists here: the other one's staged blocks are in the FIFO now.
    const std::size_t bytes = quarantine::bytes();
    if (bytes != expected) {
      fprintf(stderr, "child: quarantine holds %zu bytes, expected %zu\n", bytes, expected);
      _exit(1);
    }
    _exit(check_heap("in the child", 0) == 0 ? 0 : 2);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  thread.release_and_join();
}

TEST(QuarantineStaging, DrainTakesOutTheFifoAndThisThreadsStagedBlocks) {
  std::vector<void*> blocks;
  for (int index = 0; index < 3; ++index) {
    blocks.push_back(allocate({kBlockBytes, 16, AllocationKind::Malloc, "drain", 1, 0, false}));
  }
  for (void* block : blocks) deallocate(block, AllocationKind::Malloc, 0);
  std::vector<BlockHeader*> drained;
  for (BlockHeader* header = quarantine::drain(); header != nullptr; header = header->next) {
    drained.push_back(header);
  }
  EXPECT_EQ(quarantine::bytes(), 0u);
  for (void* block : blocks) {
    EXPECT_NE(std::find(drained.begin(), drained.end(), header_of(block)), drained.end());
  }
  // Oldest first: the three were freed in order, last of everything drained.
  ASSERT_GE(drained.size(), 3u);
  EXPECT_EQ(drained[drained.size() - 3], header_of(blocks[0]));
  EXPECT_EQ(drained.back(), header_of(blocks[2]));
  // Back in, with no limit, so none of them leaves.
  for (BlockHeader* header : drained) quarantine::push(header, SIZE_MAX);
}

}  // namespace
}  // namespace osp::debug
