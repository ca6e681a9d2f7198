// StackDepot: stores each unique call stack once and names it by a 32-bit id (0 = no
// stack). Lock-free lookup, memory from the OS layer (never malloc), never freed.
//
// Guarantees: the same frames (same depth, same addresses) always give the same id, from
// any thread; different frames give different ids. Stacks deeper than kMaxStackDepth are
// truncated to their innermost kMaxStackDepth frames before interning. get() is O(1) and
// wait-free. The singleton has no constructor that runs code (its state is constant-
// initialized), so it works before and after static constructors and destructors.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::trace {

using StackId = std::uint32_t;
inline constexpr StackId kNoStack = 0;
inline constexpr int kMaxStackDepth = 64;

struct StackView {
  const std::uintptr_t* frames;
  int depth;
};

// The depot's hash of a stack, exposed so a capture can compute it while it walks (the
// walk waits on each frame's load; the multiplies fit in that wait). Each frame is
// multiplied on its own and rotated by its position, so there is no dependent chain.
class StackHash {
 public:
  void add(int index, std::uintptr_t frame) noexcept {
    const std::uint64_t spread = static_cast<std::uint64_t>(frame) * 0xff51afd7ed558ccdULL;
    const unsigned rotation = (static_cast<unsigned>(index) * 7U) & 63U;
    sum_ += (spread << rotation) | (spread >> ((64U - rotation) & 63U));
  }
  std::uint64_t finish(int depth) const noexcept {
    std::uint64_t mixed = sum_ ^ static_cast<std::uint64_t>(depth);
    mixed ^= mixed >> 33;
    mixed *= 0xc4ceb9fe1a85ec53ULL;
    mixed ^= mixed >> 33;
    return mixed;
  }

 private:
  std::uint64_t sum_ = 0x9e3779b97f4a7c15ULL;
};

class StackDepot {
 public:
  static StackDepot& instance() noexcept;
  // Returns the id of this stack, storing it on first sight. kNoStack for depth 0 or
  // when the depot is out of memory.
  StackId intern(const std::uintptr_t* frames, int depth) noexcept;
  // The same, with `hash` already computed by StackHash over exactly these frames.
  StackId intern(const std::uintptr_t* frames, int depth, std::uint64_t hash) noexcept;
  // The stored frames of `id` (depth 0 for kNoStack or an unknown id).
  StackView get(StackId id) const noexcept;
  std::size_t unique_stacks() const noexcept;
  // Bytes of memory the depot has taken from the OS (node chunks and tables).
  std::size_t bytes_used() const noexcept;
};

}  // namespace osp::trace
