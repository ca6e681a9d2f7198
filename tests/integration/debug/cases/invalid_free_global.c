/* expect-kind: bad-free
   expect-exit: abort
   expect-text: global or static object */
#include <stdio.h>
#include <stdlib.h>

static char global_buffer[64] __attribute__((aligned(16)));

int main(void) {
  printf("block=%p\n", (void*)global_buffer);
  fflush(stdout);
  free(global_buffer); /* @error */
  return 0;
}
