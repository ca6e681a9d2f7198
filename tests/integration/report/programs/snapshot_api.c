/* Snapshots of a running process: through the C API (osp_write_snapshot), and through
   the snapshot_signal option (the process signals itself and waits for the file); and
   one whose only pointer to a leaked block is left in dead stack, where the snapshot's
   own frames will be; and one whose only pointer to a live block is in a callee-saved
   register during the call.
     snapshot_api api|signal|stale|register PATH */
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

__attribute__((noinline)) void* allocate_held_in_register(void) { return malloc(555); }

/* Allocates a block and calls osp_write_snapshot(path) with the block's address in a
   callee-saved register (rbx, x19) and nowhere else: both calls are made from asm, so no
   variable of the compiler's ever holds it. 77 where the program does not know the
   platform's calling sequence. Always inline into main, which calls other functions, so
   nothing of the compiler's is in the red zone the calls overwrite. */
static inline __attribute__((always_inline)) int snapshot_with_block_in_register(const char* path) {
#if defined(__linux__) && defined(__x86_64__)
  int result;
  __asm__ volatile(
      "call allocate_held_in_register\n\t"
      "mov %%rax, %%rbx\n\t"
      "mov %[path], %%rdi\n\t"
      "call osp_write_snapshot@PLT\n\t"
      "xor %%ebx, %%ebx\n\t"
      : "=a"(result)
      : [path] "m"(path)
      : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc", "xmm0",
        "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
  return result;
#elif defined(__linux__) && defined(__aarch64__)
  register long result __asm__("x0");
  __asm__ volatile(
      "bl allocate_held_in_register\n\t"
      "mov x19, x0\n\t"
      "ldr x0, %[path]\n\t"
      "bl osp_write_snapshot\n\t"
      "mov x19, xzr\n\t"
      : "=r"(result)
      : [path] "m"(path)
      : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
        "x14", "x15", "x16", "x17", "x19", "x30", "memory", "cc", "v0", "v1", "v2", "v3", "v4",
        "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25",
        "v26", "v27", "v28", "v29", "v30", "v31");
  return (int)result;
#else
  (void)path;
  return 77;
#endif
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
  if (strcmp(argv[1], "register") == 0) {
    wipe_dead_stack();
    return snapshot_with_block_in_register(argv[2]) == 0 ? 0 : 3;
  }
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
