/* expect-kind: heap-use-after-free
   expect-access: READ
   expect-frame0: program */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  long* value = malloc(sizeof(long)); /* @alloc */
  *value = 42;
  printf("block=%p\n", (void*)value);
  fflush(stdout);
  free(value); /* @free */
  long stale = *(volatile long*)value; /* @error */
  printf("read %ld\n", stale);
  return 0;
}
