// The C runtime DLL's functions, looked up once in the C runtime DLL this library was
// built against (see c_runtime_windows.hpp). Without them (no such DLL loaded), nothing is
// recognised as the C runtime's and foreign blocks are reported as invalid frees.
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "api/c_runtime_windows.hpp"

#include <atomic>
#include <cstring>

namespace osp::api {
namespace {

#if defined(_UCRT)
constexpr const char* kCrtModule = "ucrtbase.dll";
#else
constexpr const char* kCrtModule = "msvcrt.dll";
#endif

struct CrtFunctions {
  void (*free)(void*);
  void* (*realloc)(void*, std::size_t);
  std::size_t (*msize)(void*);
  void (*aligned_free)(void*);
  void* (*onexit)(int (*)());
  HANDLE heap;
};

template <typename Function>
Function lookup(HMODULE module, const char* name) {
  FARPROC address = GetProcAddress(module, name);
  Function function = nullptr;
  static_assert(sizeof function == sizeof address);
  std::memcpy(&function, &address, sizeof function);
  return function;
}

// Filled once; GetModuleHandleA/GetProcAddress never allocate from the C runtime's heap.
const CrtFunctions& crt() noexcept {
  static CrtFunctions functions{};
  static std::atomic<int> state{0};  // 0 not yet, 1 filling, 2 ready
  if (state.load(std::memory_order_acquire) == 2) return functions;
  int expected = 0;
  if (state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
    HMODULE module = GetModuleHandleA(kCrtModule);
    if (module != nullptr) {
      functions.free = lookup<void (*)(void*)>(module, "free");
      functions.realloc = lookup<void* (*)(void*, std::size_t)>(module, "realloc");
      functions.msize = lookup<std::size_t (*)(void*)>(module, "_msize");
      functions.aligned_free = lookup<void (*)(void*)>(module, "_aligned_free");
      functions.onexit = lookup<void* (*)(int (*)())>(module, "_onexit");
      auto heap_handle = lookup<std::intptr_t (*)()>(module, "_get_heap_handle");
      functions.heap = heap_handle != nullptr ? reinterpret_cast<HANDLE>(heap_handle()) : nullptr;
    }
    state.store(2, std::memory_order_release);
  } else {
    while (state.load(std::memory_order_acquire) != 2) YieldProcessor();
  }
  return functions;
}

}  // namespace

bool crt_heap_owns(const void* block) noexcept {
  const CrtFunctions& functions = crt();
  return functions.heap != nullptr && functions.free != nullptr && HeapValidate(functions.heap, 0, block);
}

void crt_free(void* block) noexcept {
  if (crt().free != nullptr) crt().free(block);
}

void* crt_realloc(void* block, std::size_t bytes) noexcept {
  return crt().realloc != nullptr ? crt().realloc(block, bytes) : nullptr;
}

std::size_t crt_msize(void* block) noexcept { return crt().msize != nullptr ? crt().msize(block) : 0; }

void crt_aligned_free(void* block) noexcept {
  if (crt().aligned_free != nullptr) crt().aligned_free(block);
}

bool crt_onexit(int (*handler)()) noexcept {
  return crt().onexit != nullptr && crt().onexit(handler) != nullptr;
}

}  // namespace osp::api
