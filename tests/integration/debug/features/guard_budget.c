/* guard_max_live=4: the fifth and later live blocks get canaries only, and are counted.
   A guarded 96-byte block ends exactly at a page boundary; a pool block never does (its
   tail guard follows it). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  void* blocks[10];
  for (int index = 0; index < 10; ++index) blocks[index] = malloc(96);
  int guarded = 0;
  for (int index = 0; index < 10; ++index) {
    if (((uintptr_t)blocks[index] + 96) % 4096 == 0) ++guarded;
  }
  for (int index = 0; index < 10; ++index) free(blocks[index]);
  printf("budget ok: guarded=%d\n", guarded);
  return 0;
}
