// Per-thread cache of the stack bounds. State machine per thread:
//   Unknown --(first call)--> Fetching --> Known | Unavailable
// A call that finds Fetching is a reentrant call from inside pthread_getattr_np and
// returns false at once. A forked child inherits the cache of the forking thread, whose
// stack the child reuses at the same addresses, so the cache stays right.
#include "trace/thread_stack_bounds.hpp"

#include <pthread.h>

#include <atomic>
#include "os/platform.hpp"

namespace osp::trace {
namespace detail {

OSP_THREAD_LOCAL(ThreadStackCache) thread_stack_cache;

}  // namespace detail

namespace {

using detail::FetchState;
using detail::ThreadStackCache;

bool fetch_bounds(ThreadStackCache& cache) noexcept {
  pthread_attr_t attributes;
  if (pthread_getattr_np(pthread_self(), &attributes) != 0) return false;
  void* stack_address = nullptr;
  std::size_t stack_bytes = 0;
  const int status = pthread_attr_getstack(&attributes, &stack_address, &stack_bytes);
  pthread_attr_destroy(&attributes);
  if (status != 0 || stack_address == nullptr || stack_bytes == 0) return false;
  cache.low = reinterpret_cast<std::uintptr_t>(stack_address);
  cache.high = cache.low + stack_bytes;
  return true;
}

}  // namespace

bool detail::fetch_current_thread_stack_bounds(StackBounds& bounds) noexcept {
  ThreadStackCache& cache = thread_stack_cache;
  if (cache.state == FetchState::Unknown) {
    cache.state = FetchState::Fetching;
    // The marker must be in memory before pthread_getattr_np can re-enter us.
    std::atomic_signal_fence(std::memory_order_seq_cst);
    const bool fetched = fetch_bounds(cache);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    cache.state = fetched ? FetchState::Known : FetchState::Unavailable;
  }
  if (cache.state != FetchState::Known) return false;
  bounds.low = cache.low;
  bounds.high = cache.high;
  return true;
}

}  // namespace osp::trace
