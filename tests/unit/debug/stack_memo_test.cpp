// The per-thread walk memo must give exactly what a fresh walk gives: the same id for an
// unchanged stack, and a new, correct one as soon as any stack word it read changed,
// even when the entry frame and its return address are the same as last time; with the
// frame-pointer walk and the eh_frame walk alike.
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "debug/stack_memo.hpp"
#include "trace/stack_capture.hpp"
#include "trace/stack_depot.hpp"

namespace osp::debug {
namespace {

constexpr int kDepth = 16;

struct Capture {
  trace::UnwindMethod method = trace::UnwindMethod::FramePointer;
  trace::StackId memo_id = trace::kNoStack;
  std::vector<std::uintptr_t> fresh_frames;
  std::uintptr_t entry_frame = 0;
};

// Stands in for an interposed entry point: captures through the memo and, for
// comparison, with a fresh walk from the same frame record.
__attribute__((noinline)) void entry_point(Capture& capture) {
  const auto frame = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  const auto caller = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  capture.entry_frame = frame;
  capture.memo_id = intern_stack_from_entry_frame(frame, caller, kDepth, capture.method);
  ASSERT_NE(capture.memo_id, trace::kNoStack);
  std::uintptr_t frames[kDepth];
  std::uint64_t hash = 0;
  const int depth = trace::capture_stack_from_entry_frame(frame, caller, frames, kDepth, &hash,
                                                          nullptr, capture.method);
  ASSERT_GT(depth, 0);
  capture.fresh_frames.assign(frames, frames + depth);
  __asm__ __volatile__("" : : : "memory");
}

// One shared middle frame: the entry point's frame address and return address are the
// same whichever outer function called it; only a deeper record differs.
__attribute__((noinline)) void middle(Capture& capture) {
  entry_point(capture);
  __asm__ __volatile__("" : : : "memory");
}

__attribute__((noinline)) void outer_a(Capture& capture) {
  middle(capture);
  __asm__ __volatile__("" : : : "memory");
}

__attribute__((noinline)) void outer_b(Capture& capture) {
  middle(capture);
  __asm__ __volatile__("" : : : "memory");
}

std::vector<std::uintptr_t> depot_frames(trace::StackId id) {
  trace::StackView view = trace::StackDepot::instance().get(id);
  return {view.frames, view.frames + view.depth};
}

// Runs outer_a or outer_b from one call site each, so only the chosen path differs.
__attribute__((noinline)) void run_path(bool use_b, Capture& capture) {
  (use_b ? outer_b : outer_a)(capture);
  __asm__ __volatile__("" : : : "memory");
}

class StackMemo : public ::testing::TestWithParam<trace::UnwindMethod> {
 protected:
  Capture fresh_capture() const {
    Capture capture;
    capture.method = GetParam();
    return capture;
  }
};

TEST_P(StackMemo, UnchangedStackGivesTheSameId) {
  Capture captures[3] = {fresh_capture(), fresh_capture(), fresh_capture()};
  // One call site for all three: an unrolled loop (-O3) would give each its own.
#pragma GCC unroll 1
  for (Capture& capture : captures) run_path(false, capture);
  EXPECT_EQ(captures[0].memo_id, captures[1].memo_id);
  EXPECT_EQ(captures[1].memo_id, captures[2].memo_id);
  EXPECT_EQ(depot_frames(captures[2].memo_id), captures[2].fresh_frames);
}

TEST_P(StackMemo, ChangedDeeperRecordGivesTheRightNewId) {
  Capture captures[4] = {fresh_capture(), fresh_capture(), fresh_capture(), fresh_capture()};
  const bool paths[4] = {false, true, false, true};
#pragma GCC unroll 1
  for (int index = 0; index < 4; ++index) run_path(paths[index], captures[index]);
  // The case the memo must not get wrong: same entry frame, same return address, and
  // only a record further up (outer_a's or outer_b's) differs.
  ASSERT_EQ(captures[0].entry_frame, captures[1].entry_frame);
  EXPECT_NE(captures[0].memo_id, captures[1].memo_id);
  for (const Capture& capture : captures) {
    EXPECT_EQ(depot_frames(capture.memo_id), capture.fresh_frames);
  }
  EXPECT_EQ(captures[2].memo_id, captures[0].memo_id);
  EXPECT_EQ(captures[3].memo_id, captures[1].memo_id);
}

TEST_P(StackMemo, EveryThreadGetsRightStacks) {
  Capture main_capture = fresh_capture();
  outer_a(main_capture);
  Capture thread_capture = fresh_capture();
  std::thread([&] { outer_b(thread_capture); }).join();
  EXPECT_EQ(depot_frames(thread_capture.memo_id), thread_capture.fresh_frames);
  EXPECT_EQ(depot_frames(main_capture.memo_id), main_capture.fresh_frames);
}

TEST_P(StackMemo, ForeignEntryFrameIsRefused) {
  EXPECT_EQ(intern_stack_from_entry_frame(0x1000, 0x2000, kDepth, GetParam()), trace::kNoStack);
  int local = 0;
  EXPECT_EQ(intern_stack_from_entry_frame(reinterpret_cast<std::uintptr_t>(&local), 0x2000, kDepth,
                                          GetParam()),
            trace::kNoStack);
}

INSTANTIATE_TEST_SUITE_P(Walks, StackMemo,
                         ::testing::Values(trace::UnwindMethod::FramePointer,
                                           trace::UnwindMethod::EhFrame),
                         [](const ::testing::TestParamInfo<trace::UnwindMethod>& method) {
                           return method.param == trace::UnwindMethod::FramePointer ? "FramePointer"
                                                                                    : "EhFrame";
                         });

}  // namespace
}  // namespace osp::debug
