// Demo: blocks allocated with the ALLOCATE macros and left live are reported with their
// file:line when the program exits.
#include <cstdio>

#include "global_allocator_api.hpp"
#include "safe_memory_leak_reporter.hpp"

namespace {

void* make_session_cache() { return ALLOCATE(4096); }

}  // namespace

int main() {
  SafeMemoryLeakReporter::get().initialize(SafeMemoryLeakReporter::Automatic, false);
  void* kept = make_session_cache();
  for (int i = 0; i < 3; ++i) (void)ALLOCATE(100);  // leaked on purpose
  void* freed = ALLOCATE(512);
  DEALLOCATE(freed);
  std::printf("live bytes in the pool: %llu\n",
              static_cast<unsigned long long>(os_memory::api::get_current_memory_usage()));
  (void)kept;
  return 0;
}
