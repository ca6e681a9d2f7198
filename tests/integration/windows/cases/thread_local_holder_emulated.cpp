// Blocks held only by thread-local variables, as mingw-w64 builds them: emulated TLS keeps
// each thread's copy of a variable in a block from malloc (16 bytes here) and points into
// that block, not at its start. So the copy's block is "possible" (only an interior
// pointer reaches it) and so is the block the variable holds: one of the main thread, one
// of a worker still running (waiting) at exit. Nothing is a definite leak.
#include <atomic>
#include <cstdlib>
#include <thread>

#include "case_support.h"

// expect kind=possible blocks=2 bytes=88 where=remember_in_main_tls
// expect kind=possible blocks=2 bytes=104 where=remember_in_worker_tls
// expect-total kind=definite blocks=0 bytes=0
// expect-exit 0

thread_local void* t_main_block;
thread_local void* t_worker_block;
std::atomic<bool> g_worker_ready{false};

__attribute__((noinline)) void remember_in_main_tls() { t_main_block = std::malloc(72); }

__attribute__((noinline)) void remember_in_worker_tls() { t_worker_block = std::malloc(88); }

__attribute__((noinline)) void wait_forever() {
  remember_in_worker_tls();
  wipe_dead_stack();
  g_worker_ready = true;
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

int main() {
  remember_in_main_tls();
  std::thread(wait_forever).detach();
  while (!g_worker_ready) std::this_thread::yield();
  wipe_dead_stack();
  return 0;
}
