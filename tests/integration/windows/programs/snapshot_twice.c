/* Snapshots written through the C API on Windows: the second replaces the first at the
   same path (MoveFileEx over an existing file); a path in a missing folder fails cleanly.
     snapshot_twice PATH */
#include <stdio.h>
#include <stdlib.h>

#include "case_support.h"
#include "osp/osp.h"

__attribute__((noinline)) void leak_one_block(void) {
  void* volatile block = malloc(333);
  (void)block;
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  leak_one_block();
  wipe_dead_stack();
  if (osp_write_snapshot(argv[1]) != 0) return 3;
  leak_one_block();
  wipe_dead_stack();
  if (osp_write_snapshot(argv[1]) != 0) return 4;
  if (osp_write_snapshot("Z:\\nonexistent-folder\\snapshot.json") == 0) return 5;
  printf("snapshots written\n");
  return 0;
}
