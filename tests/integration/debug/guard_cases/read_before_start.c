/* expect-kind: heap-buffer-underflow
   expect-access: READ
   expect-frame0: program
   options: guard_underflow=1 */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char* bytes = malloc(100); /* @alloc */
  printf("block=%p\n", (void*)bytes);
  fflush(stdout);
  char before = ((volatile char*)bytes)[-1]; /* @error */
  printf("read %d\n", before);
  free(bytes);
  return 0;
}
