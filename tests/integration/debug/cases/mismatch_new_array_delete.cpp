// expect-kind: alloc-dealloc-mismatch
// expect-exit: abort
// expect-text: (operator new [] vs operator delete)
// expect-function: make_block
#include <cstdio>
#include <cstdlib>

__attribute__((noinline)) int* make_block() {
  return new int[8];  // @alloc
}

int main() {
  int* block = make_block();
  std::printf("block=%p\n", static_cast<void*>(block));
  std::fflush(stdout);
  delete block;  // @error
}
