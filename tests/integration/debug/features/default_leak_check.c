/* Leaks one block and prints its line: whether the exit leak check runs by default depends
   on how libospdebug came in (linked: yes, preloaded: no; docs/options.md). */
#include <stdio.h>
#include <stdlib.h>

void* volatile g_sink;

__attribute__((noinline)) void leak_on_purpose(void) {
  void* block = malloc(64); /* leaked */
  g_sink = block;
  g_sink = NULL;
}

int main(void) {
  leak_on_purpose();
  puts("program output survives the leak exit code");
  return 0;
}
