// ChainStack: a lock-free LIFO of chains of free blocks (a Treiber stack).
//
// A chain is a singly linked list of free blocks: word 0 of each block points to the next
// block of the chain. The first block of a chain also stores, in word 1, the next chain of
// the stack with the chain's length packed into the top 16 bits (user-space addresses fit
// in 48 bits on every supported platform).
//
// The head is a (pointer, tag) pair swapped by one 16-byte CAS; the tag grows on every
// push and pop, so a head that was popped and pushed again between our read and our CAS
// (ABA) fails the CAS. pop() reads word 1 of a block another thread may already own: that
// read is safe because Small memory is never unmapped (only decommitted, reading zeros),
// and its value is discarded when the CAS fails. (ThreadSanitizer sees that stale read race
// with the block's new owner; tests/stress/tsan.supp names this one function.)
#pragma once

#include <cstdint>

#include "os/cpu.hpp"

namespace osp::pool {

struct Chain {
  void* first;
  void* last;
  std::uint32_t length;
};

class ChainStack {
 public:
  static_assert(cpu::kLockFree128, "osp needs a 16-byte compare-and-swap on this CPU");

  void push(Chain chain) noexcept {
    cpu::Pair128 expected = cpu::load128(&head_);
    for (;;) {
      __atomic_store_n(&chain_link(chain.first), pack(reinterpret_cast<void*>(expected.low), chain.length),
                       __ATOMIC_RELAXED);
      const cpu::Pair128 desired{reinterpret_cast<std::uint64_t>(chain.first), expected.high + 1};
      if (cpu::cas128(&head_, expected, desired)) return;
    }
  }

  // Returns a chain with first == nullptr when the stack is empty.
  Chain pop() noexcept {
    cpu::Pair128 expected = cpu::load128(&head_);
    for (;;) {
      void* first = reinterpret_cast<void*>(expected.low);
      if (first == nullptr) return Chain{nullptr, nullptr, 0};
      const std::uint64_t link = __atomic_load_n(&chain_link(first), __ATOMIC_RELAXED);
      const cpu::Pair128 desired{link & kPointerMask, expected.high + 1};
      if (cpu::cas128(&head_, expected, desired)) {
        return Chain{first, nullptr, static_cast<std::uint32_t>(link >> kLengthShift)};
      }
    }
  }

  bool empty() const noexcept { return __atomic_load_n(&head_.low, __ATOMIC_RELAXED) == 0; }

 private:
  static constexpr int kLengthShift = 48;
  static constexpr std::uint64_t kPointerMask = (std::uint64_t{1} << kLengthShift) - 1;

  static std::uint64_t& chain_link(void* block) noexcept {
    return static_cast<std::uint64_t*>(block)[1];
  }
  static std::uint64_t pack(void* next_chain, std::uint32_t length) noexcept {
    return reinterpret_cast<std::uint64_t>(next_chain) |
           (static_cast<std::uint64_t>(length) << kLengthShift);
  }

  cpu::Pair128 head_{0, 0};
};

}  // namespace osp::pool
