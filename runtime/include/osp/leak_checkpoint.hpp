// Per-test leak checks (libospdebug). A LeakCheckpoint notes the allocation counter when
// it is made; leaks_since() runs a reachability scan and returns the sites of blocks
// allocated after the checkpoint that nothing reachable points to any more (the kinds
// the leak_kinds option counts, definite and indirect by default; suppressions apply).
//
//   osp::LeakCheckpoint checkpoint;
//   run_the_code_under_test();
//   for (const osp::LeakSiteSummary& site : checkpoint.leaks_since()) ...
//
// Blocks that are still reachable (caches, singletons) are not leaks. Needs libospdebug
// (linked or preloaded); the C functions below are its ABI.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#include <string>
#include <vector>
extern "C" {
#endif

struct osp_leak_site {
  const char* kind;      /* "definite", "indirect", ... */
  const char* location;  /* "file:line" of ALLOCATE, or the first frame outside the runtime */
  const char* key;       /* the site key of the snapshot format (16 hex digits) */
  uint64_t blocks;
  uint64_t bytes;
};
typedef void (*osp_leak_site_visitor)(const struct osp_leak_site* site, void* context);

/* A position in the process's allocation order: every tracked block allocated after this
   call returns has a higher sequence number (threads take numbers in blocks, so the value
   is not a count of allocations). */
uint64_t osp_allocation_sequence(void);
/* Scans now and visits every leaking site of blocks allocated with a sequence number in
   (after_sequence, until_sequence]. Returns the number of sites, or -1 when the scan
   could not decide (a thread did not pause): nothing is then called a leak. */
long osp_leaks_between(uint64_t after_sequence, uint64_t until_sequence,
                       osp_leak_site_visitor visit, void* context);

#ifdef __cplusplus
}

namespace osp {

struct LeakSiteSummary {
  std::string kind;
  std::string location;
  std::string key;
  std::uint64_t blocks;
  std::uint64_t bytes;
};

class LeakCheckpoint {
 public:
  LeakCheckpoint() noexcept : start_(osp_allocation_sequence()) {}
  // Moves the checkpoint to now.
  void reset() noexcept { start_ = osp_allocation_sequence(); }
  std::uint64_t sequence() const noexcept { return start_; }

  // Leaks among the blocks allocated since the checkpoint.
  std::vector<LeakSiteSummary> leaks_since() const { return leaks_until(UINT64_MAX); }
  // Leaks among the blocks allocated after the checkpoint and up to `end_sequence`
  // (an earlier osp_allocation_sequence()): later blocks are ignored.
  std::vector<LeakSiteSummary> leaks_until(std::uint64_t end_sequence) const {
    std::vector<LeakSiteSummary> sites;
    osp_leaks_between(start_, end_sequence, &collect, &sites);
    return sites;
  }

 private:
  static void collect(const osp_leak_site* site, void* context) {
    static_cast<std::vector<LeakSiteSummary>*>(context)->push_back(
        LeakSiteSummary{site->kind, site->location, site->key, site->blocks, site->bytes});
  }
  std::uint64_t start_;
};

}  // namespace osp
#endif
