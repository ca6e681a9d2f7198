/* osp C API: counters, tracking, heap checks and leak snapshots for C programs. */
#ifndef OSP_OSP_H
#define OSP_OSP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct osp_counters {
  uint64_t live_bytes;
  uint64_t peak_bytes;
  uint64_t allocations;
  uint64_t frees;
  uint64_t failed_allocations;
} osp_counters;

/* Allocation with the call site recorded; returns NULL on failure. */
void* osp_allocate(size_t bytes, size_t alignment, const char* file, int line);
void osp_deallocate(void* block);
#define OSP_ALLOCATE(size) osp_allocate((size), 16, __FILE__, __LINE__)
#define OSP_DEALLOCATE(ptr) osp_deallocate(ptr)

void osp_get_counters(osp_counters* out);
void osp_enable_tracking(int enabled);
/* Number of live tracked blocks, written as a readable report to stderr. */
size_t osp_report_leaks(void);
/* Checks every live block's guards now; returns the number of corrupt blocks found
   (always 0 in libosp, which has no guards). */
size_t osp_check_heap(void);
/* Writes a JSON leak snapshot; path NULL uses the report_path option. 0 on success. */
int osp_write_snapshot(const char* path);

#ifdef __cplusplus
}
#endif

#endif /* OSP_OSP_H */
