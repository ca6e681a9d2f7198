// A lock biased towards one owner thread: the debug runtime's live-table shards, which
// every tracked allocation and free of their thread takes.
//
// Why: a SpinLock's exchange is a locked instruction, and a locked instruction waits
// until the core's store buffer has drained. Right after a block's fill that is many
// cold lines: the uncontended exchange was ~11% of an STL-heavy program's time.
//
// How: the owner enters with a plain store of `busy` and a load of `wants` (Dekker's
// protocol with only a compiler barrier between them). The rare other party (a visitor
// enumerating the table, the fork handler, a free from another thread waiting out a
// visitor) takes the SpinLock, raises `wants`, runs a process-wide barrier
// (os::process_barrier), which makes the owner's `busy` store visible unless the owner's
// later load of `wants` will see it raised, and waits for `busy` to fall. An owner that
// finds `wants` raised backs off and takes the SpinLock like everyone else.
//
// Where no process-wide barrier exists (an old kernel, a seccomp filter) and under
// ThreadSanitizer (which cannot see one), both sides use sequentially consistent
// accesses instead: correct, and as costly as the SpinLock. A lock with no owner is just
// its SpinLock.
#pragma once

#include <atomic>
#include <cstdint>

#include "os/os_memory.hpp"

namespace osp::os {

class BiasedLock {
 public:
  // Chooses barriers or fences for every BiasedLock. Call it once, before the first
  // owner is set (set_owned); until then every lock uses fences.
  static void choose_protocol() noexcept;

  // The owner's side. True when taken with plain accesses; false when it fell back to
  // the SpinLock. Hand the result to owner_unlock.
  bool owner_lock() noexcept {
    if (barriers()) [[likely]] {
      busy_.store(1, std::memory_order_relaxed);
      std::atomic_signal_fence(std::memory_order_seq_cst);
      if (!wants_.load(std::memory_order_acquire)) [[likely]] return true;
    } else {
      busy_.store(1, std::memory_order_seq_cst);
      if (!wants_.load(std::memory_order_seq_cst)) return true;
    }
    busy_.store(0, std::memory_order_release);
    lock_.lock();
    return false;
  }
  void owner_unlock(bool fast) noexcept {
    if (fast) {
      busy_.store(0, std::memory_order_release);
    } else {
      lock_.unlock();
    }
  }

  // Everyone else's side (the owner's too, outside owner_lock).
  void lock() noexcept;
  void unlock() noexcept;

  // Under lock(): whether a thread may now take owner_lock (one thread at a time).
  void set_owned(bool owned) noexcept { owned_ = owned; }
  bool owned() const noexcept { return owned_; }

  // True when the protocol's rare side runs process_barrier() and the frequent side only
  // a compiler barrier; false when both sides use sequentially consistent accesses. For
  // other store-then-load pairs that follow the same protocol.
  static bool barriers() noexcept { return !g_fences.load(std::memory_order_relaxed); }

 private:
  static std::atomic<bool> g_fences;

  std::atomic<std::uint32_t> busy_{0};  // written by the owner only
  std::atomic<bool> wants_{false};      // written under lock_
  bool owned_ = false;                  // written and read under lock_
  SpinLock lock_;
};

}  // namespace osp::os
