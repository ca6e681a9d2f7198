// Blocks freed late, in an atexit handler and in a static object's destructor, are not
// leaks: the scan runs after both.
#include <cstdlib>

#include "case_support.h"

// expect-total kind=definite blocks=0 bytes=0
// expect-total kind=indirect blocks=0 bytes=0
// expect kind=reachable blocks=0 bytes=0 where=allocate_for_atexit
// expect kind=reachable blocks=0 bytes=0 where=Owner
// expect-exit 0

void* g_for_atexit;

struct Owner {
  void* block;
  Owner() : block(std::malloc(200)) {}
  ~Owner() {
    std::free(block);
    block = nullptr;
  }
};

Owner g_owner;

void free_in_atexit() {
  std::free(g_for_atexit);
  g_for_atexit = nullptr;
}

__attribute__((noinline)) void allocate_for_atexit() {
  g_for_atexit = std::malloc(300);
  std::atexit(free_in_atexit);
}

int main() {
  allocate_for_atexit();
  wipe_dead_stack();
  return 0;
}
