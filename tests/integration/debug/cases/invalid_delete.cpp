// expect-kind: bad-free
// expect-exit: abort
// expect-text: interior pointer: 8 bytes inside the block of 32 bytes
#include <cstdio>

int main() {
  long* values = new long[4];
  long* interior = values + 1;
  std::printf("block=%p\n", static_cast<void*>(interior));
  std::fflush(stdout);
  delete interior;  // @error
}
