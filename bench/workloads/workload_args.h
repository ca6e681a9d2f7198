/* Shared by every workload program: argument parsing with clear errors, a small fast
   random generator (the same sequence under every allocator, so runs are comparable),
   and the checksum line each program prints so the work cannot be optimised away.
   Plain C so the C workloads and the C++ ones use the same code. */
#ifndef OSP_BENCH_WORKLOAD_ARGS_H
#define OSP_BENCH_WORKLOAD_ARGS_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every workload takes: <scale> [threads]. scale multiplies the amount of work
   (1 is the full benchmark, small fractions are the smoke test). */
typedef struct workload_args {
  double scale;
  int threads;
} workload_args;

static inline void workload_usage_exit(const char* program, const char* problem) {
  fprintf(stderr, "%s: %s\nusage: %s <scale: number > 0, 1 = full size> [threads: 1-64]\n",
          program, problem, program);
  exit(2);
}

static inline workload_args parse_workload_args(int argc, char** argv) {
  workload_args args = {1.0, 1};
  if (argc < 2 || argc > 3) workload_usage_exit(argv[0], "wrong number of arguments");
  char* end = NULL;
  errno = 0;
  args.scale = strtod(argv[1], &end);
  if (errno != 0 || end == argv[1] || *end != '\0' || !(args.scale > 0) || args.scale > 1000) {
    workload_usage_exit(argv[0], "scale must be a number in (0, 1000]");
  }
  if (argc == 3) {
    errno = 0;
    long threads = strtol(argv[2], &end, 10);
    if (errno != 0 || end == argv[2] || *end != '\0' || threads < 1 || threads > 64) {
      workload_usage_exit(argv[0], "threads must be an integer from 1 to 64");
    }
    args.threads = (int)threads;
  }
  return args;
}

/* Work count scaled, never below `minimum`. */
static inline uint64_t scaled_count(const workload_args* args, double full, uint64_t minimum) {
  double value = full * args->scale;
  return value < (double)minimum ? minimum : (uint64_t)value;
}

/* xorshift64*: fast, deterministic, good enough for picking sizes and slots. */
typedef struct random_state {
  uint64_t state;
} random_state;

static inline uint64_t random_next(random_state* random) {
  uint64_t x = random->state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  random->state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t random_below(random_state* random, uint64_t bound) {
  return random_next(random) % bound;
}

/* Exits with a message when an allocation the workload needs fails. */
static inline void* check_allocation(void* block, size_t bytes) {
  if (block == NULL && bytes != 0) {
    fprintf(stderr, "workload: allocation of %zu bytes failed\n", bytes);
    exit(3);
  }
  return block;
}

static inline void print_checksum(const char* name, uint64_t checksum) {
  printf("%s checksum=%llu\n", name, (unsigned long long)checksum);
}

#endif
