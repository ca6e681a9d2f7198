// operator new of a preloaded allocator throws std::bad_alloc for a request it cannot
// meet, and the program catches it: the exception is raised inside the preloaded library
// and unwinds through the program's frames. nothrow new gives null instead.
#include <cstdio>
#include <new>
#include <vector>

__attribute__((noinline)) char* ask_for(std::size_t bytes) { return new char[bytes]; }

int main() {
  int caught = 0;
  constexpr int kRounds = 100;
  for (int round = 0; round < kRounds; ++round) {
    volatile std::size_t impossible = std::size_t{1} << 62;
    try {
      char* block = ask_for(impossible);
      block[0] = 1;
      delete[] block;
    } catch (const std::bad_alloc&) {
      ++caught;
    }
    if (new (std::nothrow) char[impossible] != nullptr) return 1;
  }
  std::vector<int> still_works(1000, 7);
  if (caught != kRounds || still_works[999] != 7) return 1;
  std::printf("new_throws ok\n");
  return 0;
}
