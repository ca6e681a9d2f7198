/* expect-kind: double-free
   expect-exit: abort
   expect-function: make_buffer */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) char* make_buffer(void) {
  return malloc(100); /* @alloc */
}

int main(void) {
  char* buffer = make_buffer();
  printf("block=%p\n", (void*)buffer);
  fflush(stdout);
  free(buffer); /* @free */
  free(buffer); /* @error */
  return 0;
}
