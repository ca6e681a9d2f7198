// allocator_may_return_null=0 and halt_on_error=1 (both defaults): an impossible size is
// an error like any other and stops the program at the call, even where the program
// would catch std::bad_alloc.
// expect-kind: allocation-size-too-big
// expect-text: hint: allocator_may_return_null=1
// expect-exit: abort
#include <cstdint>
#include <cstdio>
#include <new>

int main() {
  volatile std::size_t huge = SIZE_MAX / 4;
  try {
    char* block = new char[huge];  // @error
    delete[] block;
  } catch (const std::bad_alloc&) {
    std::puts("caught bad_alloc");
  }
  return 0;
}
