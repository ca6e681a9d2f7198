/* allocator_may_return_null=0 and halt_on_error=1 (both defaults): a bad alignment is an
   error like any other and stops the program at the call.
   expect-kind: invalid-allocation-alignment
   expect-text: posix_memalign called with alignment 24, which is not a power of two
   expect-exit: abort */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  void* block = NULL;
  int status = posix_memalign(&block, 24, 64); /* @error */
  printf("returned %d\n", status);
  return 0;
}
