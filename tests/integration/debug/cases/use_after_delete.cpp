// expect-kind: heap-use-after-free
// expect-exit: abort
// expect-function: make_table
// options: quarantine_mb=1
#include <cstdio>

__attribute__((noinline)) long* make_table() {
  return new long[16];  // @alloc
}

__attribute__((noinline)) void churn_quarantine() {
  for (int i = 0; i < 64; ++i) delete[] new char[64 * 1024];  // @error
}

int main() {
  long* table = make_table();
  std::printf("block=%p\n", static_cast<void*>(table));
  std::fflush(stdout);
  delete[] table;  // @free
  table[3] = 7;
  churn_quarantine();
}
