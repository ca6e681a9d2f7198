/* Aligned allocation: posix_memalign and aligned_alloc with alignments from 16 bytes to
   64 KiB (cache lines, pages, SIMD buffers) and sizes of 32 bytes to 256 KiB, in a table
   of slots with random replacement. Every block's alignment is checked. */
#include <stdlib.h>

#include "workload_args.h"

enum { kSlotCount = 2000 };

int main(int argc, char** argv) {
  workload_args args = parse_workload_args(argc, argv);
  const uint64_t steps = scaled_count(&args, 1.5e6, 1000);
  random_state random = {0xA119ULL};
  unsigned char* slots[kSlotCount] = {0};
  uint64_t checksum = 0;
  for (uint64_t step = 0; step < steps; ++step) {
    size_t slot = (size_t)random_below(&random, kSlotCount);
    if (slots[slot] != NULL) checksum += slots[slot][0];
    free(slots[slot]);
    /* Alignments 16 B .. 64 KiB, small ones far more common. */
    size_t alignment = (size_t)16 << random_below(&random, 1 + random_below(&random, 13));
    size_t bytes = 32 << random_below(&random, 1 + random_below(&random, 14));
    void* block = NULL;
    if (step % 2 == 0) {
      if (posix_memalign(&block, alignment, bytes) != 0) block = NULL;
    } else {
      bytes = (bytes + alignment - 1) / alignment * alignment; /* aligned_alloc's rule */
      block = aligned_alloc(alignment, bytes);
    }
    check_allocation(block, bytes);
    if ((uintptr_t)block % alignment != 0) {
      fprintf(stderr, "aligned_allocation: %s(%zu, %zu) returned %p, not aligned to %zu\n",
              step % 2 == 0 ? "posix_memalign" : "aligned_alloc", alignment, bytes, block,
              alignment);
      return 1;
    }
    slots[slot] = block;
    slots[slot][0] = (unsigned char)step;
  }
  for (size_t slot = 0; slot < kSlotCount; ++slot) free(slots[slot]);
  print_checksum("aligned_allocation", checksum);
  return 0;
}
