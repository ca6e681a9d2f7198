// guard_pages=all with several threads that free each other's blocks: slots are taken
// and closed from every thread at once, and the slot space recycles them when the
// address-space budget runs out (the test runs with a small one).
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 20000;
constexpr int kMailboxSlots = 64;

struct Mailbox {
  std::atomic<void*> slots[kMailboxSlots];
};

Mailbox mailboxes[kThreads];

void work(int self) {
  std::atomic<void*>* outgoing = mailboxes[(self + 1) % kThreads].slots;
  std::atomic<void*>* incoming = mailboxes[self].slots;
  unsigned seed = static_cast<unsigned>(self) * 7919u + 1;
  for (int round = 0; round < kRounds; ++round) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t bytes = 1 + seed % 3000;
    auto* block = static_cast<unsigned char*>(std::malloc(bytes));
    std::memset(block, self, bytes);
    void* previous = outgoing[round % kMailboxSlots].exchange(block);
    std::free(previous);  // a block another thread allocated, or null
    void* mine = incoming[(round * 7) % kMailboxSlots].exchange(nullptr);
    std::free(mine);
  }
}

}  // namespace

int main() {
  std::vector<std::thread> threads;
  for (int index = 0; index < kThreads; ++index) threads.emplace_back(work, index);
  for (std::thread& thread : threads) thread.join();
  for (Mailbox& mailbox : mailboxes) {
    for (std::atomic<void*>& slot : mailbox.slots) std::free(slot.exchange(nullptr));
  }
  std::printf("threads ok\n");
  return 0;
}
