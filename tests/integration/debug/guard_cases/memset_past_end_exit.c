/* expect-kind: heap-buffer-overflow
   expect-access: WRITE
   expect-frame0: library
   One byte too many, then _exit: no free, no exit check would ever see the damage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  (void)argv;
  size_t bytes = 24 + (size_t)(argc - 1);
  char* buffer = malloc(bytes); /* @alloc */
  printf("block=%p\n", (void*)buffer);
  fflush(stdout);
  memset(buffer, 0, bytes + 1); /* @error */
  _exit(0);
}
