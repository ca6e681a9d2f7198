// A user program built against the installed osp: find_package, pkg-config and plain -l.
#include <cstdio>
#include <vector>

#include "global_allocator_api.hpp"
#include "stl_allocator.hpp"

int main() {
  void* block = ALLOCATE_ALIGNED(1000, 256);
  std::vector<int, os_memory::allocator::STL_Allocator<int>> numbers(1000, 7);
  DEALLOCATE(block);
  std::printf("consumer ok: %d\n", numbers[999]);
  return numbers[999] == 7 ? 0 : 1;
}
