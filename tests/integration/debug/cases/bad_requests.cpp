// Impossible sizes and bad alignments through operator new and the osp API, under
// allocator_may_return_null=0 (the default): reported like any other error; with
// halt_on_error=0 the call then fails the documented way (std::bad_alloc, nullptr).
// bad_arguments_test.py runs this program with the other settings.
// expect-kind: allocation-size-too-big
// expect-kind: invalid-allocation-alignment
// options: halt_on_error=0
// expect-exit: 0
// linked-only: ALLOCATE comes from the library
#include <cstdint>
#include <cstdio>
#include <new>

#include "global_allocator_api.hpp"

namespace {

constexpr int kFailingCalls = 8;  // the requests below that must fail

template <typename Allocate>
bool throws_bad_alloc(Allocate allocate) {
  try {
    allocate();
  } catch (const std::bad_alloc&) {
    return true;
  }
  return false;
}

}  // namespace

int main() {
  volatile std::size_t huge = SIZE_MAX / 2;
  volatile std::size_t also_huge = std::size_t{1} << 50;
  if (!throws_bad_alloc([&] { delete[] new char[huge]; })) return 2;  // @error
  if (new (std::nothrow) char[also_huge] != nullptr) return 3;
  if (!throws_bad_alloc([] { ::operator delete(::operator new(64, std::align_val_t{3})); })) return 4;
  if (::operator new[](64, std::align_val_t{24}, std::nothrow) != nullptr) return 5;
  if (ALLOCATE_ALIGNED_NOTHROW(64, 3) != nullptr) return 6;
  if (!throws_bad_alloc([] { DEALLOCATE(ALLOCATE_ALIGNED(64, 3)); })) return 7;
  if (ALLOCATE_NOTHROW(huge) != nullptr) return 8;
  if (!throws_bad_alloc([&] { DEALLOCATE(ALLOCATE(huge)); })) return 9;
  void* fine = ALLOCATE_ALIGNED(64, 256);
  if (fine == nullptr || reinterpret_cast<std::uintptr_t>(fine) % 256 != 0) return 10;
  DEALLOCATE(fine);
  std::printf("block=%p failing_calls=%d\n", static_cast<void*>(nullptr), kFailingCalls);
  return 0;
}
