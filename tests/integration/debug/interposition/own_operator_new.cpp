// A program with its own global operator new and delete over malloc and free, as gdb and
// many engines have. Its strings grow inside libstdc++ (std::string::_M_append, then
// _M_mutate through the PLT): whatever allocates there must call the program's operator
// new, so the block is a malloc block that the program's delete hands to free. An
// instantiation of _M_mutate exported by the runtime would interpose libstdc++'s, call
// the runtime's own operator new, and turn every such free into a false mismatch.
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

void* operator new(std::size_t bytes) {
  if (void* block = std::malloc(bytes != 0 ? bytes : 1)) return block;
  throw std::bad_alloc();
}
void* operator new[](std::size_t bytes) { return operator new(bytes); }
void operator delete(void* block) noexcept { std::free(block); }
void operator delete[](void* block) noexcept { std::free(block); }
void operator delete(void* block, std::size_t) noexcept { std::free(block); }
void operator delete[](void* block, std::size_t) noexcept { std::free(block); }

int main() {
  std::vector<std::string> lines;
  std::size_t total = 0;
  for (int line = 0; line < 200; ++line) {
    std::string text;
    for (int piece = 0; piece <= line % 40; ++piece) text.append("appended piece ");
    text.insert(0, "line: ");
    total += text.size();
    lines.push_back(std::move(text));
  }
  std::printf("own new ok %zu\n", total + lines.size());
  return 0;
}
