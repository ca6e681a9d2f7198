/* Bad request arguments have defined results: reported, never fatal.
   expect-kind: invalid-allocation-alignment
   expect-kind: calloc-overflow
   expect-kind: reallocarray-overflow
   expect-kind: allocation-size-too-big
   expect-exit: 0 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  void* block = (void*)1;
  if (posix_memalign(&block, 3, 64) != EINVAL) return 2; /* @error */
  if (block != (void*)1) return 3;
  if (posix_memalign(&block, 4, 64) != EINVAL) return 4; /* not a multiple of sizeof(void*) */
  errno = 0;
  if (aligned_alloc(24, 64) != NULL || errno != EINVAL) return 5;
  errno = 0;
  if (calloc(SIZE_MAX / 2, 4) != NULL || errno != ENOMEM) return 6;
  errno = 0;
  if (reallocarray(NULL, SIZE_MAX / 2, 4) != NULL || errno != ENOMEM) return 7;
  errno = 0;
  if (malloc(SIZE_MAX) != NULL || errno != ENOMEM) return 8;
  /* Valid requests still work afterwards. */
  if (posix_memalign(&block, 4096, 100) != 0 || ((uintptr_t)block & 4095) != 0) return 9;
  free(block);
  void* aligned = aligned_alloc(64, 128);
  if (aligned == NULL || ((uintptr_t)aligned & 63) != 0) return 10;
  free(aligned);
  printf("block=%p\n", (void*)0);
  return 0;
}
