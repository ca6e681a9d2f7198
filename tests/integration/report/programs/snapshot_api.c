/* Snapshots of a running process: through the C API (osp_write_snapshot), and through
   the snapshot_signal option (the process signals itself and waits for the file); and
   one whose only pointer to a leaked block is left in dead stack, where the snapshot's
   own frames will be.
     snapshot_api api PATH      snapshot_api signal PATH      snapshot_api stale PATH */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "case_support.h"
#include "osp/osp.h"

__attribute__((noinline)) void leak_before_snapshot(void) {
  void* volatile block = malloc(333);
  (void)block;
}

/* The block's address fills the stack below the caller's frame after this returns. */
__attribute__((noinline)) void leak_into_dead_stack(void) {
  void* leaked = malloc(444);
  volatile uintptr_t area[4096];
  for (int index = 0; index < 4096; ++index) area[index] = (uintptr_t)leaked;
  __asm__ volatile("" : : "r"(area) : "memory");
}

static int wait_for_file(const char* path) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (access(path, F_OK) == 0) return 1;
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  if (strcmp(argv[1], "stale") == 0) {
    leak_into_dead_stack();
    return osp_write_snapshot(argv[2]) == 0 ? 0 : 3;
  }
  leak_before_snapshot();
  wipe_dead_stack();
  if (strcmp(argv[1], "api") == 0) {
    if (osp_write_snapshot(argv[2]) != 0) return 3;
    /* A bad path is an error message and a failure code, not a crash. */
    if (osp_write_snapshot("/nonexistent-directory/snapshot.json") == 0) return 4;
    printf("api snapshot written\n");
    return 0;
  }
  raise(SIGUSR2);
  if (!wait_for_file(argv[2])) return 5;
  printf("signal snapshot written\n");
  fflush(stdout);
  _exit(0); /* no exit snapshot over the signal's one */
}
