// SpinLock's contended path (os_memory.hpp): test-and-test-and-set, pausing, then
// yielding the CPU; the same backoff for other spin-waits.
#include "os/cpu.hpp"
#include "os/os_memory.hpp"

namespace osp::os {

void spin_backoff(int spins) noexcept {
  if (spins < 64) {
    cpu::pause();
  } else {
    yield_thread();
  }
}

void SpinLock::lock_contended() noexcept {
  for (int spins = 0; !try_lock(); ++spins) spin_backoff(spins);
}

bool SpinLock::try_lock() noexcept {
  return __atomic_load_n(&state_, __ATOMIC_RELAXED) == 0 &&
         __atomic_exchange_n(&state_, 1, __ATOMIC_ACQUIRE) == 0;
}

}  // namespace osp::os
