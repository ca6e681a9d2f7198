/* A module the concurrency test loads and unloads while other threads capture stacks
 * through it. Built without frame pointers: only its unwind tables lead a walk out. */
void osp_test_module_call(void (*callback)(void*), void* argument) {
  callback(argument);
  __asm__ __volatile__("" : : : "memory");
}
