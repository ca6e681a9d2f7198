// Per-thread state of the debug runtime (see runtime_thread.hpp).
#include "debug/runtime_thread.hpp"

#include <atomic>

#include "os/os_memory.hpp"

namespace osp::debug {
namespace {

constinit thread_local bool t_inside_runtime = false;
constinit thread_local std::uint32_t t_thread_ordinal_plus_one = 0;
std::atomic<std::uint32_t> g_next_thread_ordinal{1};
constexpr std::uint32_t kMaxThreadOrdinal = 0xffff;

}  // namespace

bool inside_runtime() noexcept { return t_inside_runtime; }

ReentrancyGuard::ReentrancyGuard() noexcept : outermost_(!t_inside_runtime) {
  t_inside_runtime = true;
}

ReentrancyGuard::~ReentrancyGuard() {
  if (outermost_) t_inside_runtime = false;
}

std::uint16_t current_thread_ordinal() noexcept {
  if (t_thread_ordinal_plus_one == 0) {
    std::uint32_t ordinal = 0;
    if (os::current_thread_id() != os::process_id()) {
      ordinal = g_next_thread_ordinal.fetch_add(1, std::memory_order_relaxed);
      if (ordinal > kMaxThreadOrdinal) ordinal = kMaxThreadOrdinal;
    }
    t_thread_ordinal_plus_one = ordinal + 1;
  }
  return static_cast<std::uint16_t>(t_thread_ordinal_plus_one - 1);
}

}  // namespace osp::debug
