/* expect-kind: heap-buffer-underflow
   expect-exit: abort
   expect-function: make_buffer */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) char* make_buffer(void) {
  return malloc(40); /* @alloc */
}

int main(void) {
  char* buffer = make_buffer();
  printf("block=%p\n", (void*)buffer);
  fflush(stdout);
  volatile char* before = buffer - 2;
  *before = 'U';
  free(buffer); /* @error */
  return 0;
}
