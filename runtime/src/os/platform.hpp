// Per-thread storage for the allocator's hot path, the one place where the platforms need
// different code outside the OS layer's .cpp files.
//
// OSP_THREAD_STORAGE_DECLARE(Type, accessor), in a header, declares `Type& accessor()`:
// the calling thread's own zero-initialised Type (a trivial type), alive until the thread's
// at_thread_exit callbacks have run, so they can still read it; and `Type*
// accessor_if_ready()`, the same or null when the thread has not used it yet, which
// compiles to no call at all (a fast path that gives the first use to its slow path needs
// no stack frame). Exactly one .cpp file
// (at namespace scope, same namespace) says OSP_THREAD_STORAGE_DEFINE(Type, accessor).
//
// - ELF (Linux): an initial-exec __thread pointer to a block from the OS layer, taken on
//   the thread's first use; `accessor()` inlines to one fs/tpidr-relative load and a
//   predictable branch.
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
  }                                                                                       \
  inline Type* accessor##_if_ready() noexcept { return &accessor(); }
#define OSP_THREAD_STORAGE_DEFINE(Type, accessor) ::osp::os::ThreadStorageSlot accessor##_slot;
#define OSP_THREAD_STORAGE_RETIRE(Type, accessor, stand_in) ((void)0)

// OSP_THREAD_LOCAL(Type): a per-thread variable of the runtime (a trivial Type, zero at
// thread start), read and assigned like a plain variable. On Windows it is a TLS-index
// slot of OS-owned storage (see above: emutls would call malloc inside malloc and free the
// value before the thread's exit callbacks run).
template <typename Type>
class ThreadLocal {
  static_assert(std::is_trivially_default_constructible_v<Type>, "zeroed storage");

 public:
  constexpr ThreadLocal() noexcept = default;
  ThreadLocal(const ThreadLocal&) = delete;
  Type& get() noexcept { return *static_cast<Type*>(thread_storage(slot_, sizeof(Type))); }
  operator Type&() noexcept { return get(); }
  ThreadLocal& operator=(const Type& value) noexcept {
    get() = value;
    return *this;
  }
  Type* operator&() noexcept { return &get(); }

 private:
  ThreadStorageSlot slot_{};
};
#define OSP_THREAD_LOCAL(Type) ::osp::os::ThreadLocal<Type>

#else

// Only a pointer lives in initial-exec TLS (a few kilobytes there would cost every process
// start and could exhaust the static TLS a dlopen'ed library may use). The block itself
// comes from the OS layer on the thread's first use and is recycled after the thread's
// exit callbacks: OSP_THREAD_STORAGE_RETIRE points the thread at a read-only stand-in.
void* take_thread_block(std::size_t bytes) noexcept;
void recycle_thread_block(void* block, std::size_t bytes) noexcept;

#define OSP_THREAD_STORAGE_DECLARE(Type, accessor)                                              \
  static_assert(std::is_trivially_default_constructible_v<Type>, "zeroed storage");             \
  extern __thread Type* accessor##_pointer __attribute__((tls_model("initial-exec")));          \
  Type& accessor##_first_use() noexcept;                                                        \
  inline Type& accessor() noexcept {                                                            \
    Type* block = accessor##_pointer;                                                           \
    return __builtin_expect(block != nullptr, 1) ? *block : accessor##_first_use();             \
  }                                                                                             \
  /* Null before the thread's first use: for fast paths that hand that case to a slow one. */  \
  inline Type* accessor##_if_ready() noexcept { return accessor##_pointer; }
#define OSP_THREAD_STORAGE_DEFINE(Type, accessor)                                               \
  __thread Type* accessor##_pointer __attribute__((tls_model("initial-exec")));                 \
  Type& accessor##_first_use() noexcept {                                                       \
    static Type fallback;  /* only if the OS refuses a few kilobytes */                         \
    auto* block = static_cast<Type*>(::osp::os::take_thread_block(sizeof(Type)));               \
    accessor##_pointer = block != nullptr ? block : &fallback;                                  \
    return *accessor##_pointer;                                                                 \
  }
// After the thread's exit callbacks: the thread now sees `stand_in`; its block is reused.
#define OSP_THREAD_STORAGE_RETIRE(Type, accessor, stand_in)                                     \
  do {                                                                                          \
    Type* retired = accessor##_pointer;                                                         \
    accessor##_pointer = (stand_in);                                                            \
    if (retired != nullptr && retired != (stand_in)) ::osp::os::recycle_thread_block(retired, sizeof(Type)); \
  } while (0)


// OSP_THREAD_LOCAL(Type): a per-thread variable of the runtime, in initial-exec TLS (no
// __tls_get_addr, which may call malloc).
#define OSP_THREAD_LOCAL(Type) __thread __attribute__((tls_model("initial-exec"))) Type

#endif

}  // namespace osp::os
