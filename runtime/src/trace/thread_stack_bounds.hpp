// The address range of the calling thread's stack, fetched once per thread and cached
// in an initial-exec TLS slot (plain data: no constructor, no TLS allocation on first
// touch). Used by the frame-pointer walk so it only ever reads inside the live stack.
#pragma once

#include <cstdint>
#include "os/platform.hpp"

namespace osp::trace {

struct StackBounds {
  std::uintptr_t low;   // lowest address of the stack mapping (inclusive)
  std::uintptr_t high;  // one past the highest address (the stack grows down from here)
};

namespace detail {

enum class FetchState : unsigned char { Unknown = 0, Fetching, Known, Unavailable };

struct ThreadStackCache {
  std::uintptr_t low;
  std::uintptr_t high;
  FetchState state;
};

// Zero-initialized POD in OSP_THREAD_LOCAL storage (no TLS wrapper call, no constructor,
// no allocation through malloc).
extern OSP_THREAD_LOCAL(ThreadStackCache) thread_stack_cache;

bool fetch_current_thread_stack_bounds(StackBounds& bounds) noexcept;

}  // namespace detail

// False when the bounds cannot be known: pthread_getattr_np failed, or this thread is
// inside its own first fetch (pthread_getattr_np may call malloc, which may capture a
// stack, which lands here again; that nested call must give up instead of recursing).
// Every stack capture asks, so the cached case is inline.
inline bool current_thread_stack_bounds(StackBounds& bounds) noexcept {
  const detail::ThreadStackCache& cache = detail::thread_stack_cache;
  if (cache.state == detail::FetchState::Known) [[likely]] {
    bounds.low = cache.low;
    bounds.high = cache.high;
    return true;
  }
  return detail::fetch_current_thread_stack_bounds(bounds);
}

}  // namespace osp::trace
