// CPU specifics: the 16-byte compare-and-swap behind the lock-free stacks, and a pause
// hint for spin loops. x86-64 uses CMPXCHG16B; ARM64 uses CASPAL when the target has the
// LSE atomics (-march=armv8.1-a or later: __ARM_FEATURE_ATOMICS), otherwise an
// LDAXP/STLXP loop, which every ARMv8-A core has. Where no 16-byte CAS exists the build
// falls back to a lock and says so in kLockFree128 (checked by a static_assert in the
// pool and by a test); on x86-64 and ARM64 it must be lock-free (static_assert below).
#pragma once

#include <cstdint>

namespace osp::cpu {

struct alignas(16) Pair128 {
  std::uint64_t low;   // pointer
  std::uint64_t high;  // tag
};

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer must see the 16-byte atomics, so they go through its interceptors.
#define OSP_CAS128_BUILTIN 1
inline constexpr bool kLockFree128 = true;
#elif defined(__x86_64__) || defined(__aarch64__)
inline constexpr bool kLockFree128 = true;
#else
#define OSP_CAS128_BUILTIN 1
inline constexpr bool kLockFree128 = false;
#endif

inline Pair128 load128(const Pair128* target) noexcept {
#if defined(OSP_CAS128_BUILTIN)
  Pair128 value;
  __atomic_load(target, &value, __ATOMIC_ACQUIRE);
  return value;
#else
  // Two 8-byte loads; a torn read is harmless because the CAS validates it.
  Pair128 value;
  value.low = __atomic_load_n(&target->low, __ATOMIC_ACQUIRE);
  value.high = __atomic_load_n(&target->high, __ATOMIC_ACQUIRE);
  return value;
#endif
}

// Atomically: if *target == expected, *target = desired and return true; otherwise
// expected = *target and return false. Acquire-release ordering.
inline bool cas128(Pair128* target, Pair128& expected, Pair128 desired) noexcept {
#if defined(OSP_CAS128_BUILTIN)
  return __atomic_compare_exchange(target, &expected, &desired, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE);
#elif defined(__x86_64__)
  bool swapped;
  __asm__ __volatile__("lock cmpxchg16b %1"
                       : "=@ccz"(swapped), "+m"(*target), "+a"(expected.low),
                         "+d"(expected.high)
                       : "b"(desired.low), "c"(desired.high)
                       : "memory");
  return swapped;
#elif defined(__aarch64__) && defined(__ARM_FEATURE_ATOMICS)
  // CASP needs each pair in an even/odd register pair; fixed registers guarantee that.
  register std::uint64_t compare_low __asm__("x0") = expected.low;
  register std::uint64_t compare_high __asm__("x1") = expected.high;
  register std::uint64_t desired_low __asm__("x2") = desired.low;
  register std::uint64_t desired_high __asm__("x3") = desired.high;
  const std::uint64_t wanted_low = expected.low;
  const std::uint64_t wanted_high = expected.high;
  __asm__ __volatile__("caspal %0, %1, %2, %3, [%4]"
                       : "+r"(compare_low), "+r"(compare_high)
                       : "r"(desired_low), "r"(desired_high), "r"(target)
                       : "memory");
  // CASP always loads the old value into the compare pair; equal means it stored.
  const bool swapped = compare_low == wanted_low && compare_high == wanted_high;
  expected.low = compare_low;
  expected.high = compare_high;
  return swapped;
#elif defined(__aarch64__)
  // A single LDAXP is not single-copy atomic for 16 bytes; it is once the paired STLXP to
  // the same address succeeds, so a mismatch also stores the value back before reporting.
  std::uint64_t old_low, old_high;
  std::uint32_t failed;
  do {
    __asm__ __volatile__("ldaxp %0, %1, [%2]"
                         : "=&r"(old_low), "=&r"(old_high)
                         : "r"(target)
                         : "memory");
    if (old_low != expected.low || old_high != expected.high) {
      // Store back what we read so the exclusive monitor is cleared consistently.
      __asm__ __volatile__("stlxp %w0, %2, %3, [%1]"
                           : "=&r"(failed)
                           : "r"(target), "r"(old_low), "r"(old_high)
                           : "memory");
      if (failed) continue;
      expected.low = old_low;
      expected.high = old_high;
      return false;
    }
    __asm__ __volatile__("stlxp %w0, %2, %3, [%1]"
                         : "=&r"(failed)
                         : "r"(target), "r"(desired.low), "r"(desired.high)
                         : "memory");
  } while (failed);
  return true;
#endif
}

#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(__SANITIZE_THREAD__)
static_assert(kLockFree128, "x86-64 and ARM64 have a 16-byte compare-and-swap: keep it lock-free");
#endif

inline void pause() noexcept {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

}  // namespace osp::cpu
