// capture_stack: every method must return the known chain in order, honour skip and
// depth limits, work on other threads, and return nothing rather than fault when the
// stack is not the thread's own (a signal alternate stack).
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <csignal>
#include <cstdint>
#include <thread>
#include <vector>

#include "call_chain.hpp"
#include "trace/stack_capture.hpp"

namespace osp_trace_test {
namespace {

using osp::trace::capture_stack;
using osp::trace::UnwindMethod;

// Upper bound on the size of chain_inner's code: frame 0 must point inside it.
constexpr std::uintptr_t kMaxInnerFunctionBytes = 1024;

class CaptureByMethod : public ::testing::TestWithParam<UnwindMethod> {};

CallChainRecord run_chain(UnwindMethod method, int skip_frames) {
  CallChainRecord record{};
  record.method = method;
  record.skip_frames = skip_frames;
  chain_outer(record);
  return record;
}

bool inside_chain_inner(std::uintptr_t address) {
  const auto start = reinterpret_cast<std::uintptr_t>(&chain_inner);
  return address > start && address < start + kMaxInnerFunctionBytes;
}

TEST_P(CaptureByMethod, KnownChainIsCapturedInOrder) {
  const CallChainRecord record = run_chain(GetParam(), 0);
  ASSERT_GE(record.depth, 3);
  EXPECT_TRUE(inside_chain_inner(record.frames[0]))
      << std::hex << record.frames[0] << " vs chain_inner at "
      << reinterpret_cast<std::uintptr_t>(&chain_inner);
  EXPECT_EQ(record.frames[1], record.return_into_middle);
  EXPECT_EQ(record.frames[2], record.return_into_outer);
}

TEST_P(CaptureByMethod, SkipDropsInnermostFrames) {
  const CallChainRecord full = run_chain(GetParam(), 0);
  const CallChainRecord skipped = run_chain(GetParam(), 1);
  ASSERT_GE(skipped.depth, 2);
  EXPECT_EQ(skipped.frames[0], skipped.return_into_middle);
  EXPECT_EQ(skipped.frames[1], skipped.return_into_outer);
  // Beyond the chain the walk reaches code built without frame pointers, where depths
  // may differ between runs; only the chain itself is compared.
  ASSERT_GE(full.depth, 3);
  EXPECT_EQ(skipped.frames[0], full.frames[1]);
  EXPECT_EQ(skipped.frames[1], full.frames[2]);
}

TEST_P(CaptureByMethod, AllMethodsAgreeOnTheChain) {
  const CallChainRecord with_method = run_chain(GetParam(), 0);
  ASSERT_GE(with_method.depth, 3);
  for (UnwindMethod other :
       {UnwindMethod::FramePointer, UnwindMethod::Libunwind, UnwindMethod::EhFrame}) {
    const CallChainRecord with_other = run_chain(other, 0);
    ASSERT_GE(with_other.depth, 3);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(with_method.frames[i], with_other.frames[i]) << i;
  }
}

TEST_P(CaptureByMethod, DeepChainIsCutAtMaxDepth) {
  constexpr int kLevels = 40;
  constexpr int kMaxDepth = 16;
  std::uintptr_t frames[kMaxDepth + 1] = {};
  const int count = capture_at_depth(kLevels, frames, kMaxDepth, GetParam());
  EXPECT_EQ(count, kMaxDepth);
  EXPECT_EQ(frames[kMaxDepth], 0u) << "wrote past max_depth";
  // Frames 1.. are all returns into capture_at_depth itself: the same call site.
  for (int i = 2; i < kMaxDepth; ++i) EXPECT_EQ(frames[i], frames[1]) << i;
}

TEST_P(CaptureByMethod, DeepChainIsCapturedWhole) {
  constexpr int kLevels = 40;
  std::uintptr_t frames[kCaptureCapacity] = {};
  const int count = capture_at_depth(kLevels, frames, kCaptureCapacity, GetParam());
  EXPECT_GE(count, kLevels);
}

TEST_P(CaptureByMethod, InvalidArgumentsCaptureNothing) {
  std::uintptr_t frames[4] = {};
  EXPECT_EQ(capture_stack(frames, 0, 0, GetParam()), 0);
  EXPECT_EQ(capture_stack(frames, -3, 0, GetParam()), 0);
  EXPECT_EQ(capture_stack(nullptr, 4, 0, GetParam()), 0);
  EXPECT_EQ(capture_stack(frames, 4, 1000, GetParam()), 0);
}

TEST_P(CaptureByMethod, WorksOnOtherThreads) {
  constexpr int kThreads = 4;
  std::vector<CallChainRecord> records(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&records, t] { records[t] = run_chain(GetParam(), 0); });
  }
  for (auto& thread : threads) thread.join();
  for (const CallChainRecord& record : records) {
    ASSERT_GE(record.depth, 3);
    EXPECT_EQ(record.frames[1], record.return_into_middle);
    EXPECT_EQ(record.frames[2], record.return_into_outer);
  }
}

INSTANTIATE_TEST_SUITE_P(Methods, CaptureByMethod,
                         ::testing::Values(UnwindMethod::FramePointer, UnwindMethod::Libunwind,
                                           UnwindMethod::EhFrame),
                         [](const ::testing::TestParamInfo<UnwindMethod>& method) {
                           switch (method.param) {
                             case UnwindMethod::FramePointer: return "FramePointer";
                             case UnwindMethod::Libunwind: return "Libunwind";
                             case UnwindMethod::EhFrame: return "EhFrame";
                           }
                           return "Unknown";
                         });

// Results of captures made inside a signal handler running on an alternate stack.
volatile int frame_pointer_depth_in_handler = -1;
volatile int libunwind_depth_in_handler = -1;
volatile int eh_frame_depth_in_handler = -1;
void* volatile handler_return_address = nullptr;

void capture_in_handler(int) {
  std::uintptr_t frames[kCaptureCapacity];
  frame_pointer_depth_in_handler =
      capture_stack(frames, kCaptureCapacity, 0, UnwindMethod::FramePointer);
  libunwind_depth_in_handler = capture_stack(frames, kCaptureCapacity, 0, UnwindMethod::Libunwind);
  eh_frame_depth_in_handler = capture_stack(frames, kCaptureCapacity, 0, UnwindMethod::EhFrame);
  handler_return_address = __builtin_return_address(0);
}

TEST(CaptureOnAlternateStack, FramePointerWalkRefusesForeignStack) {
  constexpr std::size_t kAlternateStackBytes = 64 * 1024;
  std::vector<char> alternate_stack(kAlternateStackBytes);
  stack_t new_stack{};
  new_stack.ss_sp = alternate_stack.data();
  new_stack.ss_size = alternate_stack.size();
  stack_t old_stack{};
  ASSERT_EQ(sigaltstack(&new_stack, &old_stack), 0);
  struct sigaction action {};
  action.sa_handler = capture_in_handler;
  action.sa_flags = SA_ONSTACK;
  struct sigaction old_action {};
  ASSERT_EQ(sigaction(SIGUSR1, &action, &old_action), 0);

  // Fetch this thread's stack bounds outside the handler: the first fetch may allocate,
  // which a signal handler must not do.
  std::uintptr_t priming[1];
  ASSERT_EQ(capture_stack(priming, 1, 0, UnwindMethod::FramePointer), 1);
  raise(SIGUSR1);

  sigaction(SIGUSR1, &old_action, nullptr);
  sigaltstack(&old_stack, nullptr);
  EXPECT_EQ(frame_pointer_depth_in_handler, 0);
  EXPECT_EQ(eh_frame_depth_in_handler, 0);
  // libunwind follows the signal frame back onto the thread stack: through the kernel's
  // signal trampoline, which lies in the vDSO. qemu-user (7.2) has no vDSO for AArch64 and
  // puts its trampoline on a page of no module, where every walk stops (not code).
  Dl_info trampoline{};
  if (dladdr(handler_return_address, &trampoline) == 0) {
    GTEST_SKIP() << "the signal trampoline " << handler_return_address
                 << " lies in no loaded module (qemu-user's own page): no walk crosses it";
  }
  EXPECT_GE(libunwind_depth_in_handler, 2);
}

}  // namespace
}  // namespace osp_trace_test
