/* expect-kind: heap-use-after-free
   expect-access: READ
   expect-frame0: program
   The classic: a reference into a vector's storage, read after push_back moved it. */
#include <cstdio>
#include <vector>

int main() {
  std::vector<int> numbers{1, 2, 3};
  const int& first = numbers[0];
  std::printf("block=%p\n", static_cast<const void*>(&first));
  std::fflush(stdout);
  numbers.push_back(4);
  int stale = first; /* @error */
  std::printf("read %d\n", stale);
  return 0;
}
