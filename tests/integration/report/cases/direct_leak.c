/* A block nothing points to: a definite leak. */
#include <stdlib.h>

#include "case_support.h"

// expect kind=definite blocks=1 bytes=100 where=leak_directly
// expect-total kind=definite blocks=1 bytes=100
// expect-total kind=indirect blocks=0 bytes=0

__attribute__((noinline)) void leak_directly(void) {
  void* volatile block = malloc(100);
  (void)block;
}

int main(void) {
  leak_directly();
  wipe_dead_stack();
  return 0;
}
