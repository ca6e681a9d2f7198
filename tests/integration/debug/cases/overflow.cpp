// expect-kind: heap-buffer-overflow
// expect-exit: abort
// expect-function: make_array
#include <cstdio>
#include <cstring>

__attribute__((noinline)) int* make_array() {
  return new int[6];  // @alloc
}

int main() {
  int* values = make_array();
  std::printf("block=%p\n", static_cast<void*>(values));
  std::fflush(stdout);
  std::memset(values, 0, 6 * sizeof(int) + 5);
  delete[] values;  // @error
}
