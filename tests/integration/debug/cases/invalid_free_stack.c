/* expect-kind: bad-free
   expect-exit: abort
   expect-text: on the stack */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char local[32] __attribute__((aligned(16)));
  printf("block=%p\n", (void*)local);
  fflush(stdout);
  free(local); /* @error */
  return 0;
}
