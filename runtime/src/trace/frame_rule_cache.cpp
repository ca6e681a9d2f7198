// The shared cache of frame rules (see frame_rule_cache.hpp). A slot is direct-mapped by
// the return address; its word holds the address bits the index does not imply (the key),
// the low bits of the code-range generation and the rule in 29 bits. Rules that do not fit
// (a CFA offset that is not a multiple of 8, or over 512 KiB) are computed every time.
#include "trace/frame_rule_cache.hpp"

#include <atomic>

#include "os/os_memory.hpp"
#include "trace/code_ranges.hpp"

namespace osp::trace {
namespace {

constexpr unsigned kIndexBits = 15;
constexpr std::uint64_t kSlots = 1ULL << kIndexBits;
constexpr unsigned kKeyBits = 32;
constexpr std::uintptr_t kHighestCachedAddress = (1ULL << (kIndexBits + kKeyBits)) - 1;
constexpr unsigned kGenerationShift = 32;
constexpr std::uint64_t kGenerationMask = 7;
constexpr unsigned kRuleShift = 35;
constexpr std::uintptr_t kLowestCodeAddress = 4096;

using Slot = std::atomic<std::uint64_t>;

std::atomic<Slot*> g_slots{nullptr};
std::atomic<bool> g_slots_unavailable{false};
// The code-range generation the slots were last cleared for.
std::atomic<std::uint64_t> g_cleared_for{0};

std::uint64_t index_of(std::uintptr_t address) noexcept {
  return (address ^ (address >> kIndexBits)) & (kSlots - 1);
}

std::uint64_t key_of(std::uintptr_t address) noexcept { return address >> kIndexBits; }

bool encode(const FrameRule& rule, std::uint64_t& bits) noexcept {
  const std::uint32_t cfa_words = rule.cfa_offset / 8;
  const auto saved_words = static_cast<std::uint32_t>(-rule.frame_pointer_offset) / 8;
  if (rule.cfa_offset % 8 != 0 || cfa_words >= (1U << 16)) return false;
  if (rule.frame_pointer_saved && (rule.frame_pointer_offset % 8 != 0 || saved_words >= (1U << 7))) {
    return false;
  }
  bits = static_cast<std::uint64_t>(rule.kind) | (rule.cfa_from_frame_pointer ? 1U << 3 : 0U) |
         (rule.frame_pointer_saved ? 1U << 4 : 0U) | (rule.frame_pointer_lost ? 1U << 5 : 0U) |
         (static_cast<std::uint64_t>(cfa_words) << 6) |
         (rule.frame_pointer_saved ? static_cast<std::uint64_t>(saved_words) << 22 : 0U);
  return true;
}

FrameRule decode(std::uint64_t bits) noexcept {
  FrameRule rule{};
  rule.kind = static_cast<FrameRuleKind>(bits & 7);
  rule.cfa_from_frame_pointer = (bits & (1U << 3)) != 0;
  rule.frame_pointer_saved = (bits & (1U << 4)) != 0;
  rule.frame_pointer_lost = (bits & (1U << 5)) != 0;
  rule.cfa_offset = static_cast<std::uint32_t>((bits >> 6) & 0xffff) * 8;
  rule.frame_pointer_offset = -static_cast<std::int32_t>((bits >> 22) & 0x7f) * 8;
  return rule;
}

Slot* slots() noexcept {
  Slot* existing = g_slots.load(std::memory_order_acquire);
  if (existing != nullptr || g_slots_unavailable.load(std::memory_order_relaxed)) return existing;
  void* memory = os::map(kSlots * sizeof(Slot), os::page_size(), false);
  if (memory == nullptr) {
    g_slots_unavailable.store(true, std::memory_order_relaxed);
    return nullptr;
  }
  // Zeroed memory: every slot empty.
  auto* mapped = static_cast<Slot*>(memory);
  if (!g_slots.compare_exchange_strong(existing, mapped, std::memory_order_acq_rel)) {
    os::release(memory, kSlots * sizeof(Slot));
    return existing;
  }
  return mapped;
}

void clear_if_generation_changed(Slot* table, std::uint64_t generation) noexcept {
  std::uint64_t cleared = g_cleared_for.load(std::memory_order_relaxed);
  if (cleared == generation) return;
  if (!g_cleared_for.compare_exchange_strong(cleared, generation, std::memory_order_relaxed)) {
    return;  // another thread clears
  }
  for (std::uint64_t index = 0; index < kSlots; ++index) {
    table[index].store(0, std::memory_order_relaxed);
  }
}

__attribute__((noinline)) FrameRule compute_and_remember(std::uintptr_t return_address,
                                                         std::uint64_t generation) noexcept {
  FrameRule rule{};
  CodeRange range;
  if (return_address < kLowestCodeAddress || !find_code_range(return_address - 1, range)) {
    rule.kind = FrameRuleKind::NotCode;
  } else {
    rule = compute_frame_rule(return_address, range);
  }
  Slot* table = slots();
  std::uint64_t bits = 0;
  if (table != nullptr && return_address <= kHighestCachedAddress && encode(rule, bits)) {
    // Stored under the generation read before the lookup: if the table was rebuilt
    // meanwhile, the entry simply never matches.
    clear_if_generation_changed(table, generation);
    table[index_of(return_address)].store(
        key_of(return_address) | ((generation & kGenerationMask) << kGenerationShift) |
            (bits << kRuleShift),
        std::memory_order_relaxed);
  }
  return rule;
}

}  // namespace

FrameRule frame_rule_for(std::uintptr_t return_address) noexcept {
  const std::uint64_t generation = code_ranges_generation();
  const Slot* table = g_slots.load(std::memory_order_acquire);
  if (table != nullptr && return_address <= kHighestCachedAddress) [[likely]] {
    const std::uint64_t word = table[index_of(return_address)].load(std::memory_order_relaxed);
    const std::uint64_t expected =
        key_of(return_address) | ((generation & kGenerationMask) << kGenerationShift);
    if (word != 0 && (word & ((1ULL << kRuleShift) - 1)) == expected) {
      return decode(word >> kRuleShift);
    }
  }
  return compute_and_remember(return_address, generation);
}

}  // namespace osp::trace
