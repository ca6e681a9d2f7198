// The shared cache of frame rules (see frame_rule_cache.hpp): the miss path. A return
// address maps to a set of two slots; a slot's word holds the address bits the index does
// not imply (the key), the low bits of the code-range generation and the rule. Rules that
// do not fit (a CFA offset that is not a multiple of 8, or a frame over 128 KiB) are
// computed every time.
#include "trace/frame_rule_cache.hpp"

#include "os/os_memory.hpp"

namespace osp::trace {

std::atomic<std::atomic<std::uint64_t>*> detail::frame_rule_slots{nullptr};

namespace {

using Slot = std::atomic<std::uint64_t>;
using detail::frame_rule_slots;
using detail::kRuleSlots;

constexpr std::uintptr_t kLowestCodeAddress = 4096;

std::atomic<bool> g_slots_unavailable{false};
// The code-range generation the slots were last cleared for.
std::atomic<std::uint64_t> g_cleared_for{0};

bool encode(const FrameRule& rule, std::uint64_t& bits) noexcept {
  const std::uint32_t cfa_words = rule.cfa_offset / 8;
  const auto saved_words = static_cast<std::uint32_t>(-rule.frame_pointer_offset) / 8;
  if (rule.cfa_offset % 8 != 0 || cfa_words >= (1U << detail::kCfaWordsBits)) return false;
  if (rule.frame_pointer_saved() &&
      (rule.frame_pointer_offset % 8 != 0 || saved_words >= (1U << 7))) {
    return false;
  }
  bits = static_cast<std::uint64_t>(rule.kind) | (static_cast<std::uint64_t>(rule.flags & 7) << 3) |
         (static_cast<std::uint64_t>(cfa_words) << 6) |
         (rule.frame_pointer_saved() ? static_cast<std::uint64_t>(saved_words)
                                             << detail::kSavedWordsShift
                                     : 0U);
  return true;
}

Slot* slots() noexcept {
  Slot* existing = frame_rule_slots.load(std::memory_order_acquire);
  if (existing != nullptr || g_slots_unavailable.load(std::memory_order_relaxed)) return existing;
  void* memory = os::map(kRuleSlots * sizeof(Slot), os::page_size(), false);
  if (memory == nullptr) {
    g_slots_unavailable.store(true, std::memory_order_relaxed);
    return nullptr;
  }
  // Zeroed memory: every slot empty.
  auto* mapped = static_cast<Slot*>(memory);
  if (!frame_rule_slots.compare_exchange_strong(existing, mapped, std::memory_order_acq_rel)) {
    os::release(memory, kRuleSlots * sizeof(Slot));
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
  for (std::uint64_t index = 0; index < kRuleSlots; ++index) {
    table[index].store(0, std::memory_order_relaxed);
  }
}

}  // namespace

__attribute__((noinline)) FrameRule detail::compute_and_remember_rule(
    std::uintptr_t return_address, std::uint64_t generation) noexcept {
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
    // The newest rule takes way 0; the one it displaces moves to way 1, evicting the
    // older. Another thread may read the set in between and miss: it computes the rule.
    Slot* set = table + detail::rule_set_start(return_address);
    set[1].store(set[0].load(std::memory_order_relaxed), std::memory_order_relaxed);
    set[0].store(detail::rule_slot_key(return_address, generation) | (bits << kRuleShift),
                 std::memory_order_relaxed);
  }
  return rule;
}

}  // namespace osp::trace
