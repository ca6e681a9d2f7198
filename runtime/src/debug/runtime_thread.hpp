// Per-thread state of the debug runtime, all in initial-exec TLS of plain types (no TLS
// constructors, no __tls_get_addr, safe inside malloc):
// - the reentrancy guard: while a thread is inside the runtime (reporting, symbolizing,
//   capturing a stack), its malloc/new calls take the internal, untracked path;
// - the thread's ordinal for reports (T0 is the main thread, others count up from 1).
// Both are read on every allocation and free, so their common cases are inline.
#pragma once

#include <cstdint>
#include "os/platform.hpp"

namespace osp::debug {

namespace detail {
extern OSP_THREAD_LOCAL(bool) t_inside_runtime;
extern OSP_THREAD_LOCAL(std::uint32_t) t_thread_ordinal_plus_one;
std::uint16_t assign_thread_ordinal() noexcept;
}  // namespace detail

inline bool inside_runtime() noexcept { return detail::t_inside_runtime; }

class ReentrancyGuard {
 public:
  ReentrancyGuard() noexcept : outermost_(!detail::t_inside_runtime) {
    detail::t_inside_runtime = true;
  }
  ~ReentrancyGuard() {
    if (outermost_) detail::t_inside_runtime = false;
  }
  ReentrancyGuard(const ReentrancyGuard&) = delete;
  ReentrancyGuard& operator=(const ReentrancyGuard&) = delete;
  // False when the thread was already inside the runtime before this guard.
  bool outermost() const noexcept { return outermost_; }

 private:
  bool outermost_;
};

inline std::uint16_t current_thread_ordinal() noexcept {
  const std::uint32_t stored = detail::t_thread_ordinal_plus_one;
  if (stored != 0) [[likely]] return static_cast<std::uint16_t>(stored - 1);
  return detail::assign_thread_ordinal();
}

}  // namespace osp::debug
