// expect-kind: double-free
// expect-exit: abort
// expect-function: make_value
#include <cstdio>

__attribute__((noinline)) long* make_value() {
  return new long(42);  // @alloc
}

__attribute__((noinline)) void release(long* value) {
  delete value;  // @error
}

int main() {
  long* value = make_value();
  std::printf("block=%p\n", static_cast<void*>(value));
  std::fflush(stdout);
  delete value;  // @free
  release(value);
}
