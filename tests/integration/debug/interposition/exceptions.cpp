// Exceptions thrown and caught on several threads (their objects come from malloc), and
// a std::bad_alloc (impossible requests are covered by cases/bad_requests.cpp).
#include <cstdio>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

__attribute__((noinline)) void throw_deep(int depth) {
  if (depth == 0) throw std::runtime_error(std::string(100, 'e'));
  throw_deep(depth - 1);
}

int catch_many() {
  int caught = 0;
  for (int i = 0; i < 2000; ++i) {
    try {
      throw_deep(i % 8);
    } catch (const std::runtime_error& error) {
      caught += error.what()[0] == 'e';
    }
  }
  return caught;
}

}  // namespace

int main() {
  std::vector<std::thread> threads;
  std::vector<int> counts(4);
  for (int i = 0; i < 4; ++i) threads.emplace_back([&counts, i] { counts[i] = catch_many(); });
  for (auto& thread : threads) thread.join();
  for (int count : counts) {
    if (count != 2000) return 1;
  }
  try {
    throw std::bad_alloc();
  } catch (const std::bad_alloc&) {
  }
  std::puts("exceptions ok");
  return 0;
}
