// Every form of operator new and delete (plain, array, nothrow, sized, aligned, aligned +
// sized), replaced by libospdebug. new/new[] are separate allocation kinds so that
// delete vs delete[] vs free mismatches are reported. Failure follows the standard: call
// the new-handler and retry, or throw std::bad_alloc (nothrow forms return null). A request
// no allocator can satisfy (a bad alignment, an impossible size) fails at once, under the
// allocator_may_return_null rule (error_reports.hpp).
#include <cstdint>
#include <new>

#include "debug/block_header.hpp"
#include "debug/debug_heap.hpp"
#include "debug/error_reports.hpp"
#include "debug/runtime_thread.hpp"

using osp::api::AllocationKind;

extern "C" int osp_debug_malloc_override_linked;
// Keeps malloc_override.o in static links of programs that never call malloc themselves.
[[gnu::used]] static int* const malloc_override_anchor = &osp_debug_malloc_override_linked;

namespace {

constexpr std::size_t kNewAlignmentBytes = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

// No new-handler can make such a request possible, and retrying would report it again.
bool impossible_request(std::size_t bytes, std::size_t alignment, AllocationKind kind,
                        std::uintptr_t caller) noexcept {
  const bool bad_alignment = alignment == 0 || (alignment & (alignment - 1)) != 0 ||
                             alignment > osp::debug::kMaxAlignmentBytes;
  if (__builtin_expect(!bad_alignment && bytes <= osp::debug::kMaxRequestBytes, 1)) return false;
  if (!osp::debug::inside_runtime()) {
    osp::debug::ReentrancyGuard guard;
    if (bad_alignment) {
      osp::debug::report_invalid_alignment(osp::debug::allocation_function_name(kind), alignment,
                                           caller);
    } else {
      osp::debug::report_allocation_size_too_big(bytes, caller);
    }
  }
  return true;
}

void* allocate_or_throw(std::size_t bytes, std::size_t alignment, AllocationKind kind,
                        std::uintptr_t caller, std::uintptr_t caller_frame) {
  if (impossible_request(bytes, alignment, kind, caller)) throw std::bad_alloc();
  for (;;) {
    if (void* block = osp::debug::allocate({bytes, alignment, kind, nullptr, 0, caller, false,
                                            caller_frame})) {
      return block;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* allocate_nothrow(std::size_t bytes, std::size_t alignment, AllocationKind kind,
                       std::uintptr_t caller, std::uintptr_t caller_frame) noexcept {
  try {
    return allocate_or_throw(bytes, alignment, kind, caller, caller_frame);
  } catch (...) {
    return nullptr;
  }
}

std::uintptr_t as_address(void* return_address) {
  return reinterpret_cast<std::uintptr_t>(return_address);
}

}  // namespace

// The entry point's return address and frame record: stacks are walked from that record.
#define OSP_CALLER as_address(__builtin_return_address(0))
#define OSP_CALLER_FRAME as_address(__builtin_frame_address(0))
#define OSP_ALIGNMENT(value) static_cast<std::size_t>(value)

void* operator new(std::size_t bytes) {
  return allocate_or_throw(bytes, kNewAlignmentBytes, AllocationKind::New, OSP_CALLER, OSP_CALLER_FRAME);
}
void* operator new[](std::size_t bytes) {
  return allocate_or_throw(bytes, kNewAlignmentBytes, AllocationKind::NewArray, OSP_CALLER, OSP_CALLER_FRAME);
}
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  return allocate_nothrow(bytes, kNewAlignmentBytes, AllocationKind::New, OSP_CALLER, OSP_CALLER_FRAME);
}
void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  return allocate_nothrow(bytes, kNewAlignmentBytes, AllocationKind::NewArray, OSP_CALLER, OSP_CALLER_FRAME);
}
void* operator new(std::size_t bytes, std::align_val_t alignment) {
  return allocate_or_throw(bytes, OSP_ALIGNMENT(alignment), AllocationKind::New, OSP_CALLER, OSP_CALLER_FRAME);
}
void* operator new[](std::size_t bytes, std::align_val_t alignment) {
  return allocate_or_throw(bytes, OSP_ALIGNMENT(alignment), AllocationKind::NewArray, OSP_CALLER, OSP_CALLER_FRAME);
}
void* operator new(std::size_t bytes, std::align_val_t alignment,
                   const std::nothrow_t&) noexcept {
  return allocate_nothrow(bytes, OSP_ALIGNMENT(alignment), AllocationKind::New, OSP_CALLER, OSP_CALLER_FRAME);
}
void* operator new[](std::size_t bytes, std::align_val_t alignment,
                     const std::nothrow_t&) noexcept {
  return allocate_nothrow(bytes, OSP_ALIGNMENT(alignment), AllocationKind::NewArray, OSP_CALLER, OSP_CALLER_FRAME);
}

void operator delete(void* block) noexcept {
  osp::debug::deallocate(block, AllocationKind::New, OSP_CALLER, OSP_CALLER_FRAME);
}
void operator delete[](void* block) noexcept {
  osp::debug::deallocate(block, AllocationKind::NewArray, OSP_CALLER, OSP_CALLER_FRAME);
}
void operator delete(void* block, const std::nothrow_t&) noexcept {
  osp::debug::deallocate(block, AllocationKind::New, OSP_CALLER, OSP_CALLER_FRAME);
}
void operator delete[](void* block, const std::nothrow_t&) noexcept {
  osp::debug::deallocate(block, AllocationKind::NewArray, OSP_CALLER, OSP_CALLER_FRAME);
}
void operator delete(void* block, std::size_t) noexcept {
  osp::debug::deallocate(block, AllocationKind::New, OSP_CALLER, OSP_CALLER_FRAME);
}
void operator delete[](void* block, std::size_t) noexcept {
  osp::debug::deallocate(block, AllocationKind::NewArray, OSP_CALLER, OSP_CALLER_FRAME);
}
void operator delete(void* block, std::align_val_t) noexcept {
  osp::debug::deallocate(block, AllocationKind::New, OSP_CALLER, OSP_CALLER_FRAME);
}
void operator delete[](void* block, std::align_val_t) noexcept {
  osp::debug::deallocate(block, AllocationKind::NewArray, OSP_CALLER, OSP_CALLER_FRAME);
}
void operator delete(void* block, std::size_t, std::align_val_t) noexcept {
  osp::debug::deallocate(block, AllocationKind::New, OSP_CALLER, OSP_CALLER_FRAME);
}
void operator delete[](void* block, std::size_t, std::align_val_t) noexcept {
  osp::debug::deallocate(block, AllocationKind::NewArray, OSP_CALLER, OSP_CALLER_FRAME);
}
void operator delete(void* block, std::align_val_t, const std::nothrow_t&) noexcept {
  osp::debug::deallocate(block, AllocationKind::New, OSP_CALLER, OSP_CALLER_FRAME);
}
void operator delete[](void* block, std::align_val_t, const std::nothrow_t&) noexcept {
  osp::debug::deallocate(block, AllocationKind::NewArray, OSP_CALLER, OSP_CALLER_FRAME);
}
