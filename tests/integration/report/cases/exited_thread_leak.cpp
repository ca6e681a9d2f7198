// Threads that exited while holding the only references to blocks (on their stacks and
// in their thread-local variables): those blocks are leaks, since nothing can reach them.
#include <cstdlib>
#include <thread>

#include "case_support.h"

// expect kind=definite blocks=4 bytes=160 where=keep_until_exit
// expect-total kind=definite blocks=4 bytes=160

thread_local void* t_kept;

__attribute__((noinline)) void keep_until_exit() {
  void* volatile on_stack = std::malloc(40);
  t_kept = std::malloc(40);
  (void)on_stack;
}

int main() {
  for (int round = 0; round < 2; ++round) std::thread(keep_until_exit).join();
  wipe_dead_stack();
  return 0;
}
