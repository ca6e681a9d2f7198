/* expect-kind: heap-use-after-free
   expect-exit: abort
   expect-function: make_buffer
   options: quarantine_mb=1 */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) char* make_buffer(void) {
  return malloc(64); /* @alloc */
}

/* Frees enough other memory to push the written block out of a 1 MiB quarantine. */
__attribute__((noinline)) void churn_quarantine(void) {
  for (int i = 0; i < 64; ++i) free(malloc(64 * 1024)); /* @error */
}

int main(void) {
  char* buffer = make_buffer();
  printf("block=%p\n", (void*)buffer);
  fflush(stdout);
  free(buffer); /* @free */
  buffer[8] = 'W';
  churn_quarantine();
  return 0;
}
