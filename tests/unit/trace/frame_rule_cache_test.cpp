// The shared frame-rule cache keeps two return addresses of one set: looking up the
// second does not evict the first (each eviction costs a full call-frame program run).
#include <gtest/gtest.h>

#include <cstdint>

#include "trace/code_ranges.hpp"
#include "trace/frame_rule_cache.hpp"

namespace osp::trace {
namespace {

bool set_holds(std::uintptr_t address) {
  const auto* slots = detail::frame_rule_slots.load(std::memory_order_acquire);
  if (slots == nullptr) return false;
  const std::uint64_t key = detail::rule_slot_key(address, code_ranges_generation());
  const std::uint64_t key_mask = (std::uint64_t{1} << detail::kRuleShift) - 1;
  for (unsigned way = 0; way < detail::kRuleWays; ++way) {
    const std::uint64_t word =
        slots[detail::rule_set_start(address) + way].load(std::memory_order_relaxed);
    if (word != 0 && (word & key_mask) == key) return true;
  }
  return false;
}

// Another code address of the same module whose set is `address`'s, or 0.
std::uintptr_t same_set_neighbour(std::uintptr_t address) {
  CodeRange range;
  if (!find_code_range(address, range)) return 0;
  for (std::uintptr_t candidate = range.start; candidate < range.end; ++candidate) {
    if (candidate != address &&
        detail::rule_set_start(candidate) == detail::rule_set_start(address)) {
      return candidate;
    }
  }
  return 0;
}

TEST(FrameRuleCache, TwoAddressesOfOneSetStayCached) {
  const auto first = reinterpret_cast<std::uintptr_t>(&same_set_neighbour) + 4;
  if (first > detail::kHighestCachedAddress) {
    GTEST_SKIP() << "code above the cached address range is looked up every time";
  }
  const std::uintptr_t second = same_set_neighbour(first);
  ASSERT_NE(second, 0u) << "this test's code is too small to hold two addresses of one set";
  const FrameRule first_rule = frame_rule_for(first);
  const FrameRule second_rule = frame_rule_for(second);
  EXPECT_NE(first_rule.kind, FrameRuleKind::NotCode);
  EXPECT_NE(second_rule.kind, FrameRuleKind::NotCode);
  EXPECT_TRUE(set_holds(first)) << "the second address evicted the first";
  EXPECT_TRUE(set_holds(second));
  // A third address of the set displaces the older of the two, never the newest.
  CodeRange range;
  ASSERT_TRUE(find_code_range(first, range));
  std::uintptr_t third = 0;
  for (std::uintptr_t candidate = second + 1; candidate < range.end && third == 0; ++candidate) {
    if (detail::rule_set_start(candidate) == detail::rule_set_start(first)) third = candidate;
  }
  if (third != 0) {
    frame_rule_for(third);
    EXPECT_TRUE(set_holds(third));
    EXPECT_TRUE(set_holds(second));
    EXPECT_FALSE(set_holds(first));
  }
}

}  // namespace
}  // namespace osp::trace
