/* Mixed sizes from 16 bytes to 64 MiB, with realloc: a table of buffers where each step
   either replaces a buffer with a new one of a log-uniformly distributed size (most are
   small, a few are many MiB) or grows it (while at most 256 KiB) with realloc by 1.25-2x, the way dynamic arrays
   and string builders do. Only the first, middle and last byte of each buffer are
   written, so the run measures the allocator rather than page faults and memset. */
#include <stdlib.h>
#include <string.h>

#include "workload_args.h"

enum { kSlotCount = 256 };
static const size_t kMinBytes = 16;
static const size_t kMaxBytes = (size_t)64 << 20;
/* Only buffers up to this size grow: growth stops where builders switch to chunks. */
static const size_t kMaxGrownBytes = (size_t)256 << 10;

/* Log-uniform in [kMinBytes, kMaxBytes], with sizes above 1 MiB made 256x rarer. */
static size_t pick_size(random_state* random) {
  for (;;) {
    size_t base = kMinBytes << random_below(random, 23); /* 16 B .. 64 MiB */
    size_t bytes = base + random_below(random, base);
    if (bytes > kMaxBytes) bytes = kMaxBytes;
    if (bytes <= ((size_t)1 << 20) || random_below(random, 256) == 0) return bytes;
  }
}

static void touch(unsigned char* block, size_t bytes, uint64_t value) {
  block[0] = (unsigned char)value;
  block[bytes / 2] = (unsigned char)value;
  block[bytes - 1] = (unsigned char)value;
}

int main(int argc, char** argv) {
  workload_args args = parse_workload_args(argc, argv);
  const uint64_t steps = scaled_count(&args, 1e6, 1000);
  random_state random = {0xC0FFEEULL};
  unsigned char* blocks[kSlotCount] = {0};
  size_t sizes[kSlotCount] = {0};
  uint64_t checksum = 0;
  for (uint64_t step = 0; step < steps; ++step) {
    size_t slot = (size_t)random_below(&random, kSlotCount);
    if (blocks[slot] != NULL && sizes[slot] <= kMaxGrownBytes && random_below(&random, 3) == 0) {
      size_t grown = sizes[slot] + sizes[slot] / 4 + random_below(&random, sizes[slot] * 3 / 4 + 1);
      unsigned char* moved = check_allocation(realloc(blocks[slot], grown), grown);
      checksum += moved[0];
      touch(moved, grown, step);
      blocks[slot] = moved;
      sizes[slot] = grown;
      continue;
    }
    if (blocks[slot] != NULL) checksum += blocks[slot][sizes[slot] - 1];
    free(blocks[slot]);
    size_t bytes = pick_size(&random);
    blocks[slot] = check_allocation(malloc(bytes), bytes);
    sizes[slot] = bytes;
    touch(blocks[slot], bytes, step);
  }
  for (size_t slot = 0; slot < kSlotCount; ++slot) free(blocks[slot]);
  print_checksum("mixed_sizes_realloc", checksum);
  return 0;
}
