// ScratchArena: memory for one leak scan, taken from osp::os::map and given back whole
// when the arena is destroyed. The scan runs while other threads are stopped (one of them
// may hold a pool lock), so it never calls malloc; and this memory is never a root, so
// the block pointers the scan copies here cannot keep anything alive.
#pragma once

#include <cstddef>

namespace osp::report {

class ScratchArena {
 public:
  ScratchArena() noexcept = default;
  ~ScratchArena();
  ScratchArena(const ScratchArena&) = delete;
  ScratchArena& operator=(const ScratchArena&) = delete;

  // Zeroed memory for `count` objects of T (trivial types only), or null when the OS
  // refuses the memory.
  template <typename T>
  T* allocate_array(std::size_t count) noexcept {
    return static_cast<T*>(allocate_bytes(count * sizeof(T), alignof(T)));
  }
  void* allocate_bytes(std::size_t bytes, std::size_t alignment) noexcept;
  std::size_t mapped_bytes() const noexcept { return mapped_bytes_; }

 private:
  struct Chunk {
    Chunk* previous;
    std::size_t bytes;
  };
  Chunk* newest_ = nullptr;
  char* cursor_ = nullptr;
  char* limit_ = nullptr;
  std::size_t mapped_bytes_ = 0;
};

}  // namespace osp::report
