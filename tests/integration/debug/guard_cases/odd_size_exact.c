/* expect-kind: heap-buffer-overflow
   expect-access: WRITE
   expect-frame0: program
   options: guard_exact=1
   A 13-byte block: the C rule would align it to 1 anyway; exact placement is asked for
   here to cover the option. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char* name = malloc(13); /* @alloc */
  printf("block=%p\n", (void*)name);
  fflush(stdout);
  ((volatile char*)name)[13] = '\0'; /* @error */
  free(name);
  return 0;
}
