// Leaks blocks from two origins: ALLOCATE (file:line) and malloc (a captured stack). The
// pointers are dropped, so the reachability scan finds them leaked. With an argument, asks
// for the report through SafeMemoryLeakReporter's Automatic mode instead of detect_leaks.
#include <cstdlib>

#include "global_allocator_api.hpp"
#include "safe_memory_leak_reporter.hpp"

void* volatile g_sink[8];

__attribute__((noinline)) void* leak_from_malloc() {
  return std::malloc(40);  // @leak-stack
}

// Overwrites dead stack below main so no stale copy of a dropped pointer survives there
// for the conservative scan.
__attribute__((noinline)) void scrub_stack() {
  volatile char buffer[16 * 1024];
  for (char& byte : const_cast<char(&)[sizeof buffer]>(buffer)) byte = 0;
}

int main(int argc, char**) {
  if (argc > 1) SafeMemoryLeakReporter::get().initialize(SafeMemoryLeakReporter::Automatic);
  for (int i = 0; i < 3; ++i) g_sink[i] = ALLOCATE(100);  // @leak-api
  g_sink[3] = leak_from_malloc();
  for (void* volatile& held : g_sink) held = nullptr;
  scrub_stack();
  std::free(std::malloc(10));  // freed: never reported
  return 0;
}
