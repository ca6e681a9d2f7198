/* Reserves 20 GiB in 1 GiB blocks and touches only a few bytes of each: the debug
   runtime must not touch the rest (bounded fills), so the resident size stays small. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long resident_kib(void) {
  FILE* status = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (status != NULL && fgets(line, sizeof line, status) != NULL) {
    if (strncmp(line, "VmRSS:", 6) == 0) kib = strtol(line + 6, NULL, 10);
  }
  if (status != NULL) fclose(status);
  return kib;
}

int main(void) {
  enum { kBlocks = 20 };
  const size_t kBlockBytes = (size_t)1 << 30;
  char* blocks[kBlocks];
  int got = 0;
  for (int i = 0; i < kBlocks; ++i) {
    blocks[i] = malloc(kBlockBytes);
    if (blocks[i] == NULL) break;
    blocks[i][0] = 1;
    blocks[i][kBlockBytes - 1] = 1;
    ++got;
  }
  long kib = resident_kib();
  printf("blocks=%d resident_kib=%ld\n", got, kib);
  for (int i = 0; i < got; ++i) free(blocks[i]);
  if (got < 8) return 2;             /* address space for at least 8 GiB */
  if (kib < 0 || kib > 256 * 1024) return 3; /* far below the 20 GiB reserved */
  return 0;
}
