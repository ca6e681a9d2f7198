/* Requests no allocator can satisfy, under allocator_may_return_null=0 (the default): each
   is reported like any other error; with halt_on_error=0 the call then fails the
   documented way. bad_arguments_test.py runs this program with the other settings.
   expect-kind: invalid-allocation-alignment
   expect-kind: calloc-overflow
   expect-kind: reallocarray-overflow
   expect-kind: allocation-size-too-big
   expect-text: hint: allocator_may_return_null=1 makes such calls fail without a report
   options: halt_on_error=0
   expect-exit: 0 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The failing calls below, one per line: bad_arguments_test.py expects this many errors
   (or failed allocations). */
#define FAILING_CALLS 10

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
  errno = 0;
  if (realloc(NULL, SIZE_MAX - 64) != NULL || errno != ENOMEM) return 9;
  errno = 0;
  if (memalign(SIZE_MAX / 2 + 2, 64) != NULL || errno != EINVAL) return 10;
  errno = 0;
  if (pvalloc(SIZE_MAX - 1) != NULL || errno != ENOMEM) return 11;
  errno = 0;
  if (aligned_alloc((size_t)1 << 40, 64) != NULL || errno == 0) return 12; /* above 1 GiB */
  /* Valid requests still work afterwards. */
  if (posix_memalign(&block, 4096, 100) != 0 || ((uintptr_t)block & 4095) != 0) return 13;
  free(block);
  void* aligned = aligned_alloc(64, 128);
  if (aligned == NULL || ((uintptr_t)aligned & 63) != 0) return 14;
  free(aligned);
  printf("block=%p failing_calls=%d\n", (void*)0, FAILING_CALLS);
  return 0;
}
