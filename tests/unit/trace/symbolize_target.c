/* A library the symbolizer tests strip and pair with separate debug files. Built with -g
 * and without optimisation. A local (static) function sits right after an exported one, so
 * a nearest-symbol lookup would wrongly name it after its exported neighbour; an exported
 * data table gives addresses that lie inside a data object. */
#include <stddef.h>

__attribute__((noinline)) int symbolize_target_neighbour(int value) { return value * 3 + 2; }

__attribute__((noinline)) static int local_work(int value) { return value * 7 + 1; } static const int local_work_line = __LINE__;

int symbolize_target_table[256] = {1, 2, 3};

/* The address of the local function, which no dynamic symbol names. */
void* symbolize_target_local_function(void) { return (void*)&local_work; }
int symbolize_target_local_function_line(void) { return local_work_line; }
