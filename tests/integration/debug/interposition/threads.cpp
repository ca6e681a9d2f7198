// Threads that start and end at any time, free each other's blocks, and one that calls
// exit() while the others are still allocating (main never returns).
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

int* volatile g_sink = nullptr;
std::mutex g_handoff_lock;
std::vector<std::unique_ptr<std::string>> g_handoff;

void worker(int seed) {
  for (int i = 0; i < 2000; ++i) {
    auto text = std::make_unique<std::string>(static_cast<std::size_t>(16 + (seed * 7 + i) % 300), 'x');
    std::lock_guard<std::mutex> lock(g_handoff_lock);
    if (g_handoff.size() > 64) g_handoff.clear();  // frees blocks other threads made
    g_handoff.push_back(std::move(text));
  }
}

}  // namespace

int main() {
  for (int wave = 0; wave < 4; ++wave) {
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i) threads.emplace_back(worker, wave * 10 + i);
    for (auto& thread : threads) thread.join();
  }
  std::atomic<bool> ready{false};
  std::thread spinner([&] {
    ready = true;
    for (;;) {
      g_sink = new int[32];
      delete[] g_sink;
    }
  });
  std::thread exiter([&] {
    while (!ready) std::this_thread::yield();
    std::puts("threads ok");
    std::fflush(stdout);
    std::exit(0);
  });
  spinner.join();  // never returns: the exiter ends the process
  exiter.join();
}
