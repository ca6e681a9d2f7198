// A leak made by a static initializer, before main runs.
#include <cstdlib>

#include "case_support.h"

// expect kind=definite blocks=1 bytes=77 where=leak_before_main
// expect-total kind=definite blocks=1 bytes=77

__attribute__((noinline)) int leak_before_main() {
  void* volatile block = std::malloc(77);
  (void)block;
  return 1;
}

int g_initialized = leak_before_main();

int main() {
  wipe_dead_stack();
  return g_initialized == 1 ? 0 : 1;
}
