/* expect-kind: bad-free
   expect-exit: abort
   expect-text: interior pointer: 16 bytes inside the block of 64 bytes */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char* buffer = malloc(64);
  printf("block=%p\n", (void*)(buffer + 16));
  fflush(stdout);
  free(buffer + 16); /* @error */
  return 0;
}
