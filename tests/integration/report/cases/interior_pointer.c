/* The only reference to a block points into its middle (as a pointer to a struct member
   would): a "possible" leak, not counted as a leak by default. */
#include <stdlib.h>

#include "case_support.h"

char* g_cursor;

// expect kind=possible blocks=1 bytes=256 where=keep_interior_pointer
// expect-total kind=possible blocks=1 bytes=256
// expect-total kind=definite blocks=0 bytes=0
// expect-exit 0

__attribute__((noinline)) void keep_interior_pointer(void) {
  char* block = malloc(256);
  g_cursor = block + 100;
}

int main(void) {
  keep_interior_pointer();
  wipe_dead_stack();
  return 0;
}
