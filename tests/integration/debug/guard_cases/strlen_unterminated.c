/* expect-kind: heap-buffer-overflow
   expect-access: READ
   expect-frame0: library
   strlen of a 16-byte buffer filled without a terminator: the C library's strlen faults
   on the guard page, its caller is the next frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  char* text = malloc(16); /* @alloc */
  memset(text, 'x', 16);
  printf("block=%p\n", (void*)text);
  fflush(stdout);
  size_t length = strlen(text); /* @error */
  printf("length %zu\n", length);
  free(text);
  return 0;
}
