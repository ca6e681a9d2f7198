/* expect-kind: heap-buffer-overflow
   expect-exit: abort
   expect-function: make_buffer */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* make_buffer(void) {
  return malloc(24); /* @alloc */
}

__attribute__((noinline)) void overflow_by_three(char* buffer) { memset(buffer, 'A', 27); }

int main(void) {
  char* buffer = make_buffer();
  printf("block=%p\n", (void*)buffer);
  fflush(stdout);
  overflow_by_three(buffer);
  free(buffer); /* @error */
  return 0;
}
