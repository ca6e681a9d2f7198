// Per-thread state of the debug runtime, all in initial-exec TLS of plain types (no TLS
// constructors, no __tls_get_addr, safe inside malloc):
// - the reentrancy guard: while a thread is inside the runtime (reporting, symbolizing,
//   capturing a stack), its malloc/new calls take the internal, untracked path;
// - the thread's ordinal for reports (T0 is the main thread, others count up from 1).
#pragma once

#include <cstdint>

namespace osp::debug {

bool inside_runtime() noexcept;

class ReentrancyGuard {
 public:
  ReentrancyGuard() noexcept;
  ~ReentrancyGuard();
  ReentrancyGuard(const ReentrancyGuard&) = delete;
  ReentrancyGuard& operator=(const ReentrancyGuard&) = delete;
  // False when the thread was already inside the runtime before this guard.
  bool outermost() const noexcept { return outermost_; }

 private:
  bool outermost_;
};

std::uint16_t current_thread_ordinal() noexcept;

}  // namespace osp::debug
