// Stack capture through code built without frame pointers, between functions built with
// them. No method may return a frame outside an executable mapping (the fake record's
// data address in particular); the frame-pointer walk stops where the chain breaks; the
// eh_frame walk returns the whole stack, frame for frame what libunwind returns.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <utility>
#include <vector>

#include "omitted_frame_pointers.hpp"

namespace osp_trace_test {
namespace {

using osp::trace::UnwindMethod;

constexpr int kFramePointer = static_cast<int>(UnwindMethod::FramePointer);
constexpr int kLibunwind = static_cast<int>(UnwindMethod::Libunwind);
constexpr int kEhFrame = static_cast<int>(UnwindMethod::EhFrame);

std::vector<std::pair<std::uintptr_t, std::uintptr_t>> executable_mappings() {
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> mappings;
  FILE* maps = std::fopen("/proc/self/maps", "r");
  if (maps == nullptr) return mappings;
  char line[512];
  while (std::fgets(line, sizeof line, maps) != nullptr) {
    unsigned long start = 0;
    unsigned long end = 0;
    char permissions[5] = {};
    if (std::sscanf(line, "%lx-%lx %4s", &start, &end, permissions) == 3 && permissions[2] == 'x') {
      mappings.emplace_back(start, end);
    }
  }
  std::fclose(maps);
  return mappings;
}

bool is_executable(std::uintptr_t address,
                   const std::vector<std::pair<std::uintptr_t, std::uintptr_t>>& mappings) {
  for (const auto& [start, end] : mappings) {
    if (address >= start && address < end) return true;
  }
  return false;
}

MixedChainRecord run_mixed_chain() {
  MixedChainRecord record{};
  with_frame_pointer_outer(record);
  return record;
}

TEST(OmittedFramePointers, ChainBreaksWhereIntended) {
  const MixedChainRecord record = run_mixed_chain();
  // The frame record of the inner function holds the fake record as its caller's RBP:
  // a frame-pointer walk meets the data address next.
  ASSERT_EQ(record.rbp_seen_by_inner, record.fake_record);
}

TEST(OmittedFramePointers, EveryFrameOfEveryMethodIsCode) {
  const MixedChainRecord record = run_mixed_chain();
  const auto mappings = executable_mappings();
  ASSERT_FALSE(mappings.empty());
  const auto data_address = reinterpret_cast<std::uintptr_t>(&g_data_not_code[1]);
  for (int method : {kFramePointer, kLibunwind, kEhFrame}) {
    ASSERT_GE(record.depth[method], 2) << "method " << method;
    for (int index = 0; index < record.depth[method]; ++index) {
      const std::uintptr_t frame = record.frames[method][index];
      EXPECT_NE(frame, data_address) << "method " << method << " frame " << index;
      // A return address: the call before it is code.
      EXPECT_TRUE(is_executable(frame - 1, mappings))
          << "method " << method << " frame " << index << " 0x" << std::hex << frame;
    }
  }
}

TEST(OmittedFramePointers, FramePointerWalkStopsAtTheBrokenChain) {
  const MixedChainRecord record = run_mixed_chain();
  ASSERT_EQ(record.depth[kFramePointer], 2);
  EXPECT_EQ(record.frames[kFramePointer][1], record.return_into_plain);
}

TEST(OmittedFramePointers, EhFrameWalkGivesTheStackLibunwindGives) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "the eh_frame rule walk reads x86-64 rules only; elsewhere EhFrame walks "
                  "frame records (docs/platforms.md)";
#endif
  const MixedChainRecord record = run_mixed_chain();
  const int depth = record.depth[kEhFrame];
  // inner, plain, middle, outer, the test body and gtest's frames up to main.
  ASSERT_GE(depth, 8);
  EXPECT_EQ(record.frames[kEhFrame][1], record.return_into_plain);
  EXPECT_EQ(record.frames[kEhFrame][2], record.return_into_middle);
  ASSERT_EQ(depth, record.depth[kLibunwind]);
  for (int index = 0; index < depth; ++index) {
    EXPECT_EQ(record.frames[kEhFrame][index], record.frames[kLibunwind][index]) << index;
  }
}

}  // namespace
}  // namespace osp_trace_test
