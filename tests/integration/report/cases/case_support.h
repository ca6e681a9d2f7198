/* Helpers for the leak cases. A conservative scan treats any stale copy of a pointer in
   dead stack slots as a reference; the exit path reuses the stack the cases used, so each
   case wipes the stack below main before returning. */
#ifndef OSP_LEAK_CASE_SUPPORT_H
#define OSP_LEAK_CASE_SUPPORT_H

#include <string.h>

static __attribute__((noinline)) void wipe_dead_stack(void) {
  volatile char area[256 * 1024];
  memset((char*)area, 0, sizeof area);
  __asm__ volatile("" : : "r"(area) : "memory");
}

#endif
