/* expect-kind: heap-buffer-overflow
   expect-access: READ
   expect-frame0: program
   Reading one element past an int[10]: the block ends at the guard page (the C rule
   aligns a 40-byte block to 8, so nothing pads it). */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  int* numbers = malloc(10 * sizeof(int)); /* @alloc */
  for (int index = 0; index < 10; ++index) numbers[index] = index;
  printf("block=%p\n", (void*)numbers);
  fflush(stdout);
  int past_end = numbers[10]; /* @error */
  printf("read %d\n", past_end);
  free(numbers);
  return 0;
}
