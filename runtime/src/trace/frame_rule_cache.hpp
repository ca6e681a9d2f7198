// Frame rules by return address, shared by every thread. A program allocates from the
// same paths over and over, so after the first walk through a function each of its
// frames costs one load here instead of a search of its module's unwind tables. A rule
// also says whether the address is code at all (NotCode), so a cached frame needs no
// lookup in the code-range table either.
//
// Each slot is one 64-bit word (key, table generation, rule): a reader sees a whole entry
// or none. Entries of an older code-range generation never match, and the slots are
// cleared when the generation changes (a module was loaded or unloaded).
#pragma once

#include <atomic>
#include <cstdint>

#include "trace/code_ranges.hpp"
#include "trace/frame_rules.hpp"

namespace osp::trace {

namespace detail {

// Two-way sets: a program's hot return addresses are a few hundred, and in a direct-mapped
// table two of them sharing a slot evicted each other on every walk, each time paying for
// a full interpretation of the function's call-frame program. Both ways of a set share a
// cache line. The newest rule goes to way 0 and pushes the previous one to way 1.
//
// Slot layout, low bits first: the address bits the set index does not imply (the key),
// the low bits of the generation, the rule: kind (3 bits), flags (3), the CFA offset in
// words, the saved RBP's offset in words (7).
inline constexpr unsigned kRuleSetBits = 13;
inline constexpr unsigned kRuleWays = 2;
inline constexpr std::uint64_t kRuleSlots = (1ULL << kRuleSetBits) * kRuleWays;  // 128 KiB
inline constexpr unsigned kAddressBits = 47;  // user space on x86-64
inline constexpr unsigned kRuleKeyBits = kAddressBits - kRuleSetBits;
// Higher addresses (none in user space) are looked up every time.
inline constexpr std::uintptr_t kHighestCachedAddress = (1ULL << kAddressBits) - 1;
inline constexpr unsigned kRuleGenerationShift = kRuleKeyBits;
inline constexpr std::uint64_t kRuleGenerationMask = 7;
inline constexpr unsigned kRuleShift = kRuleGenerationShift + 3;
inline constexpr unsigned kCfaWordsBits = 64 - kRuleShift - 13;
inline constexpr unsigned kSavedWordsShift = 6 + kCfaWordsBits;
static_assert(kCfaWordsBits >= 12, "frames up to 32 KiB must fit a slot");

// Null until the first rule is stored.
extern std::atomic<std::atomic<std::uint64_t>*> frame_rule_slots;

// The first slot of `address`'s set.
inline std::uint64_t rule_set_start(std::uintptr_t address) noexcept {
  return ((address ^ (address >> kRuleSetBits)) & ((1ULL << kRuleSetBits) - 1)) * kRuleWays;
}

// What a slot holding `address`'s rule starts with (its low kRuleShift bits).
inline std::uint64_t rule_slot_key(std::uintptr_t address, std::uint64_t generation) noexcept {
  return (address >> kRuleSetBits) | ((generation & kRuleGenerationMask) << kRuleGenerationShift);
}

inline FrameRule decode_rule(std::uint64_t bits) noexcept {
  FrameRule rule{};
  rule.kind = static_cast<FrameRuleKind>(bits & 7);
  rule.flags = static_cast<std::uint8_t>((bits >> 3) & 7);
  rule.cfa_offset = static_cast<std::uint32_t>((bits >> 6) & ((1U << kCfaWordsBits) - 1)) * 8;
  rule.frame_pointer_offset =
      static_cast<std::int16_t>(-static_cast<int>((bits >> kSavedWordsShift) & 0x7f) * 8);
  return rule;
}

// The miss path: the code-range lookup, the unwind tables, and storing the result.
FrameRule compute_and_remember_rule(std::uintptr_t return_address,
                                    std::uint64_t generation) noexcept;

}  // namespace detail

// Looks rules up for one walk: the generation and the slot table are read once, and the
// hit path is inline. A walk that straddles a rebuild uses the generation it started
// with; its rules may then be stale but its reads stay validated, and the memo does not
// keep such a walk (stack_capture.cpp).
class FrameRuleLookup {
 public:
  FrameRuleLookup() noexcept
      : generation_(code_ranges_generation()),
        slots_(detail::frame_rule_slots.load(std::memory_order_acquire)) {}

  FrameRule operator()(std::uintptr_t return_address) const noexcept {
    using namespace detail;
    if (slots_ != nullptr && return_address <= kHighestCachedAddress) [[likely]] {
      const std::atomic<std::uint64_t>* set = slots_ + rule_set_start(return_address);
      const std::uint64_t expected = rule_slot_key(return_address, generation_);
      for (unsigned way = 0; way < kRuleWays; ++way) {
        const std::uint64_t word = set[way].load(std::memory_order_relaxed);
        if (word != 0 && (word & ((1ULL << kRuleShift) - 1)) == expected) [[likely]] {
          return decode_rule(word >> kRuleShift);
        }
      }
    }
    return compute_and_remember_rule(return_address, generation_);
  }

 private:
  std::uint64_t generation_;
  const std::atomic<std::uint64_t>* slots_;
};

// The rule for the frame whose return address is `return_address`.
inline FrameRule frame_rule_for(std::uintptr_t return_address) noexcept {
  return FrameRuleLookup()(return_address);
}

}  // namespace osp::trace
