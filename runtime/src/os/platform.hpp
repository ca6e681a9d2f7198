// Per-thread storage for the allocator's hot path, the one place where the platforms need
// different code outside the OS layer's .cpp files.
//
// OSP_THREAD_STORAGE_DECLARE(Type, accessor), in a header, declares `Type& accessor()`:
// the calling thread's own zero-initialised Type (a trivial type), alive until the thread's
// at_thread_exit callbacks have run, so they can still read it. Exactly one .cpp file
// (at namespace scope, same namespace) says OSP_THREAD_STORAGE_DEFINE(Type, accessor).
//
// - ELF (Linux): an initial-exec __thread variable, one fs/tpidr-relative access with no
//   call and no lazy allocation; `accessor()` inlines to exactly that.
// - Windows (mingw-w64): GCC emulates __thread there (emutls), and winpthreads frees the
//   emulated variables before thread_local destructors and FLS callbacks run, so a thread's
//   cache would be gone when its exit callback wants to flush it. The storage is a block
//   the OS layer owns instead, found through a TLS index and freed only after the exit
//   callbacks (windows.cpp).
#pragma once

#include <cstddef>
#include <type_traits>

namespace osp::os {

#if defined(_WIN32)

// A TLS index, created on first use (0 = not yet).
struct ThreadStorageSlot {
  unsigned long index_plus_one;
};

// The calling thread's block of `bytes` (zeroed on first use) for `slot`.
void* thread_storage(ThreadStorageSlot& slot, std::size_t bytes) noexcept;

#define OSP_THREAD_STORAGE_DECLARE(Type, accessor)                                        \
  static_assert(std::is_trivially_default_constructible_v<Type>, "zeroed storage");       \
  extern ::osp::os::ThreadStorageSlot accessor##_slot;                                    \
  inline Type& accessor() noexcept {                                                      \
    return *static_cast<Type*>(::osp::os::thread_storage(accessor##_slot, sizeof(Type))); \
  }
#define OSP_THREAD_STORAGE_DEFINE(Type, accessor) ::osp::os::ThreadStorageSlot accessor##_slot;

#else

#define OSP_THREAD_STORAGE_DECLARE(Type, accessor)                                   \
  static_assert(std::is_trivially_default_constructible_v<Type>, "zeroed storage");  \
  extern __thread Type accessor##_instance __attribute__((tls_model("initial-exec"))); \
  inline Type& accessor() noexcept { return accessor##_instance; }
#define OSP_THREAD_STORAGE_DEFINE(Type, accessor) \
  __thread Type accessor##_instance __attribute__((tls_model("initial-exec")));

#endif

}  // namespace osp::os
