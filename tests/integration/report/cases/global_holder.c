/* Blocks held by a global and by a static local, and a block reached through them:
   reachable, not leaks. */
#include <stdlib.h>

#include "case_support.h"

struct holder {
  void* child;
};

struct holder* g_holder;

// expect kind=reachable blocks=2 bytes=80 where=fill_globals
// expect kind=reachable blocks=1 bytes=24 where=remember_in_static
// expect-total kind=definite blocks=0 bytes=0
// expect-total kind=indirect blocks=0 bytes=0
// expect-exit 0

__attribute__((noinline)) void fill_globals(void) {
  g_holder = malloc(sizeof *g_holder + 8);
  g_holder->child = malloc(64);
}

__attribute__((noinline)) void remember_in_static(void) {
  static void* remembered;
  remembered = malloc(24);
}

int main(void) {
  fill_globals();
  remember_in_static();
  wipe_dead_stack();
  return 0;
}
