/* A leaked list head holding two more nodes: the head is definite, the nodes it alone
   reaches are indirect. */
#include <stdlib.h>

#include "case_support.h"

struct node {
  struct node* next;
  char payload[40];
};

// expect kind=definite blocks=1 bytes=48 where=make_list
// expect kind=indirect blocks=2 bytes=96 where=make_list
// expect-total kind=definite blocks=1 bytes=48
// expect-total kind=indirect blocks=2 bytes=96

__attribute__((noinline)) void make_list(void) {
  struct node* head = malloc(sizeof *head);
  head->next = malloc(sizeof *head);
  head->next->next = malloc(sizeof *head);
  head->next->next->next = NULL;
  head = NULL;
}

int main(void) {
  make_list();
  wipe_dead_stack();
  return 0;
}
