// The calling thread's stack range on Windows (see thread_stack_bounds.hpp): the whole
// reservation of the stack, from GetCurrentThreadStackLimits, which reads the thread
// environment block and never allocates.
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "trace/thread_stack_bounds.hpp"

namespace osp::trace {
namespace detail {

OSP_THREAD_LOCAL(ThreadStackCache) thread_stack_cache;

bool fetch_current_thread_stack_bounds(StackBounds& bounds) noexcept {
  ThreadStackCache& cache = thread_stack_cache;
  if (cache.state == FetchState::Unknown) {
    ULONG_PTR low = 0;
    ULONG_PTR high = 0;
    GetCurrentThreadStackLimits(&low, &high);
    cache.low = low;
    cache.high = high;
    cache.state = low < high ? FetchState::Known : FetchState::Unavailable;
  }
  if (cache.state != FetchState::Known) return false;
  bounds.low = cache.low;
  bounds.high = cache.high;
  return true;
}

}  // namespace detail
}  // namespace osp::trace
