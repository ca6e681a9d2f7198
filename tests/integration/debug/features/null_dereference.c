/* A genuine null dereference: osp reports it (SEGV on unknown address) and the process
   still dies of SIGSEGV, as without osp. */
#include <stdio.h>

int main(void) {
  volatile int* nothing = NULL;
  printf("about to fault\n");
  fflush(stdout);
  return *nothing;
}
