/* On-demand heap check through the C API: a damaged tail guard is found before the
   block is freed. Run with halt_on_error=0. */
#include <osp/osp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  char* intact = malloc(32);
  char* damaged = malloc(32);
  memset(damaged, 'X', 33);
  size_t found = osp_check_heap();
  printf("damaged=%zu\n", found);
  free(intact);
  free(damaged);
  return found == 1 ? 0 : 1;
}
