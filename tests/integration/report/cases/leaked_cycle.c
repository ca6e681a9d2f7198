/* Three blocks pointing at each other in a ring, unreachable from anywhere: a leak.
   One member is reported definite, the two it reaches indirect. */
#include <stdlib.h>

#include "case_support.h"

struct node {
  struct node* next;
  char payload[24];
};

// expect kind=definite blocks=1 bytes=32 where=make_ring
// expect kind=indirect blocks=2 bytes=64 where=make_ring
// expect-total kind=definite blocks=1 bytes=32
// expect-total kind=indirect blocks=2 bytes=64

__attribute__((noinline)) void make_ring(void) {
  struct node* first = malloc(sizeof *first);
  struct node* second = malloc(sizeof *first);
  struct node* third = malloc(sizeof *first);
  first->next = second;
  second->next = third;
  third->next = first;
}

int main(void) {
  make_ring();
  wipe_dead_stack();
  return 0;
}
