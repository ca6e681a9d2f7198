// Per-thread state of the debug runtime (see runtime_thread.hpp).
#include "debug/runtime_thread.hpp"

#include <atomic>

#include "guarded/fault_handler.hpp"
#include "os/os_memory.hpp"
#include "os/platform.hpp"

namespace osp::debug {
namespace detail {

OSP_THREAD_LOCAL(bool) t_inside_runtime;
OSP_THREAD_LOCAL(std::uint32_t) t_thread_ordinal_plus_one;

}  // namespace detail

namespace {

std::atomic<std::uint32_t> g_next_thread_ordinal{1};
constexpr std::uint32_t kMaxThreadOrdinal = 0xffff;

}  // namespace

std::uint16_t detail::assign_thread_ordinal() noexcept {
  std::uint32_t ordinal = 0;
  if (os::current_thread_id() != os::process_id()) {
    ordinal = g_next_thread_ordinal.fetch_add(1, std::memory_order_relaxed);
    if (ordinal > kMaxThreadOrdinal) ordinal = kMaxThreadOrdinal;
  }
  t_thread_ordinal_plus_one = ordinal + 1;
  // A thread's first tracked call: where it gets its alternate signal stack.
  guarded::ensure_alternate_stack();
  return static_cast<std::uint16_t>(ordinal);
}

}  // namespace osp::debug
