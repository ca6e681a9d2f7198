/* Reserves 20 GiB in 1 GiB blocks and touches only a few bytes of each: the debug
   runtime must not touch the rest (bounded fills), so few pages of the blocks are
   resident. Counted with mincore() over the blocks themselves: the process's resident
   size would also count an emulator's own bookkeeping of every page mapped. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

enum { kBlocks = 20 };
static const size_t kBlockBytes = (size_t)1 << 30;
static unsigned char residency[((size_t)1 << 30) / 4096 + 2];

/* KiB of the pages holding [block, block + kBlockBytes) that are resident. */
static long resident_kib_of(const char* block) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  const uintptr_t start = (uintptr_t)block & ~(uintptr_t)(page - 1);
  const size_t length = (uintptr_t)block + kBlockBytes - start;
  const size_t pages = (length + page - 1) / page;
  if (pages > sizeof residency || mincore((void*)start, length, residency) != 0) return -1;
  long kib = 0;
  for (size_t i = 0; i < pages; ++i) kib += (residency[i] & 1) ? (long)(page / 1024) : 0;
  return kib;
}

int main(void) {
  char* blocks[kBlocks];
  int got = 0;
  for (int i = 0; i < kBlocks; ++i) {
    blocks[i] = malloc(kBlockBytes);
    if (blocks[i] == NULL) break;
    blocks[i][0] = 1;
    blocks[i][kBlockBytes - 1] = 1;
    ++got;
  }
  long kib = 0;
  for (int i = 0; i < got && kib >= 0; ++i) {
    const long block_kib = resident_kib_of(blocks[i]);
    kib = block_kib < 0 ? -1 : kib + block_kib;
  }
  printf("blocks=%d resident_kib=%ld\n", got, kib);
  for (int i = 0; i < got; ++i) free(blocks[i]);
  if (got < 8) return 2;             /* address space for at least 8 GiB */
  if (kib < 0 || kib > 256 * 1024) return 3; /* far below the 20 GiB reserved */
  return 0;
}
