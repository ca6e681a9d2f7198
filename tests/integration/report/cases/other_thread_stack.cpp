// A block whose only reference is a local variable of another thread, still running at
// exit (the scan stops it by signal and reads its stack and registers): reachable.
// A block that thread dropped is a definite leak.
#include <atomic>
#include <cstdlib>
#include <thread>

#include "case_support.h"

// expect kind=reachable blocks=1 bytes=120 where=hold_on_stack
// expect kind=definite blocks=1 bytes=56 where=drop_block
// expect-total kind=definite blocks=1 bytes=56
// expect-exit 23

std::atomic<bool> g_holding{false};

__attribute__((noinline)) void drop_block() {
  void* volatile block = std::malloc(56);
  (void)block;
}

__attribute__((noinline)) void hold_on_stack() {
  void* volatile held = std::malloc(120);
  drop_block();
  wipe_dead_stack();
  g_holding = true;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    (void)held;
  }
}

int main() {
  std::thread(hold_on_stack).detach();
  while (!g_holding) std::this_thread::yield();
  wipe_dead_stack();
  return 0;
}
