// BiasedLock's slow side (biased_lock.hpp).
#include "os/biased_lock.hpp"

namespace osp::os {

// Fences until a process-wide barrier is known to work.
std::atomic<bool> BiasedLock::g_fences{true};

void BiasedLock::choose_protocol() noexcept {
#if defined(__SANITIZE_THREAD__)
  const bool fences = true;
#else
  const bool fences = !enable_process_barrier();
#endif
  g_fences.store(fences, std::memory_order_seq_cst);
}

void BiasedLock::lock() noexcept {
  lock_.lock();
  if (!owned_) return;
  if (barriers()) {
    wants_.store(true, std::memory_order_relaxed);
    process_barrier();
  } else {
    wants_.store(true, std::memory_order_seq_cst);
  }
  // The owner's critical sections are a few dozen instructions; it may be descheduled.
  for (int spins = 0; busy_.load(std::memory_order_seq_cst) != 0; ++spins) spin_backoff(spins);
}

void BiasedLock::unlock() noexcept {
  if (wants_.load(std::memory_order_relaxed)) wants_.store(false, std::memory_order_release);
  lock_.unlock();
}

}  // namespace osp::os
