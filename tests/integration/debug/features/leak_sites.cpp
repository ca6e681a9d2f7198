// Leaves blocks live at exit from two origins: ALLOCATE (file:line) and malloc (a
// captured stack). With an argument, asks for the report through SafeMemoryLeakReporter's
// Automatic mode instead of the detect_leaks option.
#include <cstdlib>

#include "global_allocator_api.hpp"
#include "safe_memory_leak_reporter.hpp"

void* volatile g_sink[8];

__attribute__((noinline)) void* leak_from_malloc() {
  return std::malloc(40);  // @leak-stack
}

int main(int argc, char**) {
  if (argc > 1) SafeMemoryLeakReporter::get().initialize(SafeMemoryLeakReporter::Automatic);
  for (int i = 0; i < 3; ++i) g_sink[i] = ALLOCATE(100);  // @leak-api
  g_sink[3] = leak_from_malloc();
  std::free(std::malloc(10));  // freed: never reported
  return 0;
}
