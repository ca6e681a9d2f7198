// ScratchArena: memory for one leak scan, taken from osp::os::map and given back whole
// when the arena is destroyed. The scan runs while other threads are stopped (one of them
// may hold a pool lock), so it never calls malloc; and this memory is never a root, so
// the block pointers the scan copies here cannot keep anything alive.
#pragma once

#include <cstddef>
#include <cstring>

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
  // Makes room for one more item in an array of `count` items taken from this arena,
  // doubling it (starting at 64) into a new array when full; false when the OS refuses.
  template <typename T>
  bool make_room(T*& items, std::size_t count, std::size_t& capacity) noexcept {
    if (count < capacity) return true;
    const std::size_t wanted = capacity == 0 ? 64 : capacity * 2;
    T* grown = allocate_array<T>(wanted);
    if (grown == nullptr) return false;
    if (count != 0) std::memcpy(static_cast<void*>(grown), items, count * sizeof(T));
    items = grown;
    capacity = wanted;
    return true;
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
