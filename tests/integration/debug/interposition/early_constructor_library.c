/* Preloaded after libospdebug: its constructor allocates before the program's (and
   possibly the runtime's own) constructors ran, and leaves one block live on purpose so
   the leak report can show it was tracked from the start. */
#include <stdlib.h>
#include <string.h>

void* volatile early_block_holder;

__attribute__((noinline)) static void* allocate_early(void) {
  return malloc(77); /* @early-alloc */
}

__attribute__((constructor)) static void allocate_before_main(void) {
  for (int i = 0; i < 100; ++i) free(strdup("early allocation"));
  early_block_holder = allocate_early();
  early_block_holder = NULL; /* dropped: a definite leak */
}
