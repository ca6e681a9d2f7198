/* Under halt_on_error=0 the program goes on after a guard-page fault: each slot is
   reported once (two bad reads of one block, one report), another block gets its own. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  int* first = malloc(4 * sizeof(int));
  int* second = malloc(4 * sizeof(int));
  volatile int sum = 0;
  sum += first[4];
  sum += first[5];
  sum += second[4];
  free(first);
  free(second);
  printf("recovered sum=%d\n", sum);
  return 0;
}
