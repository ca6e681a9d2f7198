/* expect-kind: alloc-dealloc-mismatch
   expect-exit: abort
   expect-text: (ALLOCATE vs free)
   linked-only: the C API comes from the library */
#include <osp/osp.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  void* block = OSP_ALLOCATE(48); /* @alloc */
  printf("block=%p\n", block);
  fflush(stdout);
  free(block); /* @error */
  return 0;
}
