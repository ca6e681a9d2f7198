/* Small-object churn with random lifetimes: a table of slots where each step frees a
   random slot's block and puts a new one of random size (8-512 bytes) in its place, so
   blocks live for a geometrically distributed number of steps. The common case of
   interpreters, parsers and object-heavy servers. */
#include <stdlib.h>
#include <string.h>

#include "workload_args.h"

enum { kSlotCount = 20000, kMaxObjectBytes = 512 };

int main(int argc, char** argv) {
  workload_args args = parse_workload_args(argc, argv);
  const uint64_t steps = scaled_count(&args, 5e6, 1000);
  random_state random = {0x9E3779B97F4A7C15ULL};
  unsigned char** slots = check_allocation(calloc(kSlotCount, sizeof *slots),
                                           kSlotCount * sizeof *slots);
  uint64_t checksum = 0;
  for (uint64_t step = 0; step < steps; ++step) {
    size_t slot = (size_t)random_below(&random, kSlotCount);
    if (slots[slot] != NULL) {
      checksum += slots[slot][0];
      free(slots[slot]);
    }
    size_t bytes = 8 + (size_t)random_below(&random, kMaxObjectBytes - 8);
    unsigned char* block = check_allocation(malloc(bytes), bytes);
    block[0] = (unsigned char)step;
    block[bytes - 1] = (unsigned char)bytes;
    slots[slot] = block;
  }
  for (size_t slot = 0; slot < kSlotCount; ++slot) free(slots[slot]);
  free(slots);
  print_checksum("small_object_churn", checksum);
  return 0;
}
