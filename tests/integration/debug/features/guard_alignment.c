/* In guard_pages=all the C rule places a malloc'd block at the alignment its size needs
   (at least 8), while memalign, posix_memalign and aligned_alloc keep the alignment the
   program asked for, even 16 for a 40-byte block. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int misaligned(const void* block, uintptr_t alignment) {
  return ((uintptr_t)block % alignment) != 0;
}

int main(void) {
  int failures = 0;
  void* plain = malloc(40);
  void* by_posix_memalign = NULL;
  failures += posix_memalign(&by_posix_memalign, 16, 40) != 0 || misaligned(by_posix_memalign, 16);
  void* by_aligned_alloc = aligned_alloc(16, 48);
  failures += misaligned(by_aligned_alloc, 16);
  void* by_memalign = memalign(16, 40);
  failures += misaligned(by_memalign, 16);
  /* The C rule: 40 bytes need 8; the block ends at its page. */
  failures += misaligned(plain, 8) || ((uintptr_t)plain + 40) % 4096 != 0;
  free(plain);
  free(by_posix_memalign);
  free(by_aligned_alloc);
  free(by_memalign);
  printf("alignment failures=%d\n", failures);
  return failures == 0 ? 0 : 1;
}
