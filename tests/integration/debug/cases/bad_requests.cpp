// Impossible sizes and bad alignments have defined results: std::bad_alloc, nullptr.
// expect-kind: allocation-size-too-big
// expect-kind: invalid-allocation-alignment
// expect-exit: 0
// linked-only: ALLOCATE comes from the library
#include <cstdint>
#include <cstdio>
#include <new>

#include "global_allocator_api.hpp"

int main() {
  bool threw = false;
  try {
    volatile std::size_t huge = SIZE_MAX / 2;
    char* block = new char[huge];  // @error
    delete[] block;
  } catch (const std::bad_alloc&) {
    threw = true;
  }
  if (!threw) return 2;
  volatile std::size_t also_huge = std::size_t{1} << 50;
  if (new (std::nothrow) char[also_huge] != nullptr) return 3;
  if (ALLOCATE_ALIGNED_NOTHROW(64, 3) != nullptr) return 4;
  void* fine = ALLOCATE_ALIGNED(64, 256);
  if (fine == nullptr || reinterpret_cast<std::uintptr_t>(fine) % 256 != 0) return 5;
  DEALLOCATE(fine);
  std::printf("block=%p\n", static_cast<void*>(nullptr));
  return 0;
}
