// STL_Allocator<T>: a standard allocator over the osp pool. Copies (and rebinds) keep the
// alignment and nothrow settings; two allocators compare equal when they would free each
// other's memory, which is always (one pool), so equality only compares settings that
// change what allocate returns.
#pragma once

#include <cstddef>
#include <limits>
#include <new>
#include <type_traits>

#include "global_allocator_api.hpp"

namespace os_memory::allocator {

template <typename T>
class STL_Allocator {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_copy_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using is_always_equal = std::true_type;  // any instance frees any other's blocks

  template <typename U>
  struct rebind {
    using other = STL_Allocator<U>;
  };

  STL_Allocator() noexcept = default;
  template <typename U>
  STL_Allocator(const STL_Allocator<U>& other) noexcept  // NOLINT: implicit by design
      : alignment_(other.alignment()), nothrow_(other.nothrow()) {}

  // Sets the alignment of future allocations; an invalid value (not a power of two in
  // [MIN_ALLOWED_ALIGNMENT, MAX_ALLOWED_ALIGNMENT]) falls back to the default.
  void set_alignment(std::size_t alignment) noexcept {
    alignment_ = is_pool_alignment(alignment) ? alignment : kDefault;
  }
  // With nothrow set, allocate returns nullptr instead of throwing std::bad_alloc.
  void set_nothrow(bool nothrow) noexcept { nothrow_ = nothrow; }
  std::size_t alignment() const noexcept { return alignment_; }
  bool nothrow() const noexcept { return nothrow_; }

  T* allocate(std::size_t count) {
    if (count > max_size()) {
      if (nothrow_) return nullptr;
      throw std::bad_array_new_length();
    }
    void* block = api::my_allocate(count * sizeof(T), effective_alignment(), nullptr, 0, nothrow_);
    return static_cast<T*>(block);
  }
  void deallocate(T* block, std::size_t) noexcept { api::my_deallocate(block); }

  std::size_t max_size() const noexcept {
    return std::numeric_limits<std::size_t>::max() / (sizeof(T) ? sizeof(T) : 1) / 2;
  }

  template <typename U>
  bool operator==(const STL_Allocator<U>&) const noexcept { return true; }
  template <typename U>
  bool operator!=(const STL_Allocator<U>&) const noexcept { return false; }

 private:
  static constexpr std::size_t kDefault =
      alignof(T) > DEFAULT_ALIGNMENT ? alignof(T) : DEFAULT_ALIGNMENT;
  std::size_t effective_alignment() const noexcept {
    return alignment_ > alignof(T) ? alignment_ : alignof(T);
  }

  std::size_t alignment_ = kDefault;
  bool nothrow_ = false;
};

}  // namespace os_memory::allocator
