/* expect-kind: heap-use-after-free
   expect-access: WRITE
   expect-frame0: program
   A write into a freed block, then _exit: the quarantine would never check it. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
  int* counters = malloc(8 * sizeof(int)); /* @alloc */
  printf("block=%p\n", (void*)counters);
  fflush(stdout);
  free(counters); /* @free */
  ((volatile int*)counters)[3] = 7; /* @error */
  _exit(0);
}
