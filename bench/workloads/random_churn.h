/* Random-lifetime churn, shared by small_object_churn and working_set_churn: a table of
   slots where each step frees a random slot's block and puts a new one of random size
   (8-512 bytes) in its place, so blocks live for a geometrically distributed number of
   steps. Reading the old block before freeing it and writing the new one makes the
   program touch its working set the way object-heavy programs do. */
#ifndef OSP_BENCH_RANDOM_CHURN_H
#define OSP_BENCH_RANDOM_CHURN_H

#include <stdlib.h>

#include "workload_args.h"

enum { kChurnMaxObjectBytes = 512 };

static inline int run_random_churn(int argc, char** argv, const char* name, size_t slot_count,
                                   double full_steps) {
  workload_args args = parse_workload_args(argc, argv);
  const uint64_t steps = scaled_count(&args, full_steps, 1000);
  random_state random = {0x9E3779B97F4A7C15ULL};
  unsigned char** slots = check_allocation(calloc(slot_count, sizeof *slots),
                                           slot_count * sizeof *slots);
  uint64_t checksum = 0;
  for (uint64_t step = 0; step < steps; ++step) {
    size_t slot = (size_t)random_below(&random, slot_count);
    if (slots[slot] != NULL) {
      checksum += slots[slot][0];
      free(slots[slot]);
    }
    size_t bytes = 8 + (size_t)random_below(&random, kChurnMaxObjectBytes - 8);
    unsigned char* block = check_allocation(malloc(bytes), bytes);
    block[0] = (unsigned char)step;
    block[bytes - 1] = (unsigned char)bytes;
    slots[slot] = block;
  }
  for (size_t slot = 0; slot < slot_count; ++slot) free(slots[slot]);
  free(slots);
  print_checksum(name, checksum);
  return 0;
}

#endif
