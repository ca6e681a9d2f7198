// Producer/consumer: `threads` pairs; each producer allocates messages (32-1024 bytes),
// writes them and passes them in batches through a queue to its consumer, which reads and
// frees them. Every free is a cross-thread free. The total message count is fixed and
// split between the pairs.
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "workload_args.h"

namespace {

constexpr std::size_t kBatchMessages = 256;
constexpr std::size_t kMaxQueuedBatches = 8;  // bounds memory: producers wait when full
constexpr std::size_t kMinMessageBytes = 32;
constexpr std::size_t kMaxMessageBytes = 1024;

using Batch = std::vector<unsigned char*>;

class BatchQueue {
 public:
  void push(Batch batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [&] { return batches_.size() < kMaxQueuedBatches; });
    batches_.push_back(std::move(batch));
    not_empty_.notify_one();
  }
  // An empty batch means the producer is done.
  Batch pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return !batches_.empty(); });
    Batch batch = std::move(batches_.front());
    batches_.pop_front();
    not_full_.notify_one();
    return batch;
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Batch> batches_;
};

void produce(BatchQueue& queue, std::uint64_t messages, std::uint64_t seed) {
  random_state random{seed | 1};
  Batch batch;
  for (std::uint64_t sent = 0; sent < messages; ++sent) {
    std::size_t bytes = kMinMessageBytes + random_below(&random, kMaxMessageBytes - kMinMessageBytes);
    auto* message = static_cast<unsigned char*>(check_allocation(std::malloc(bytes), bytes));
    message[0] = static_cast<unsigned char>(sent);
    message[bytes - 1] = static_cast<unsigned char>(bytes);
    batch.push_back(message);
    if (batch.size() == kBatchMessages) {
      queue.push(std::move(batch));
      batch = Batch();
      batch.reserve(kBatchMessages);
    }
  }
  if (!batch.empty()) queue.push(std::move(batch));
  queue.push(Batch());
}

std::uint64_t consume(BatchQueue& queue) {
  std::uint64_t checksum = 0;
  for (Batch batch = queue.pop(); !batch.empty(); batch = queue.pop()) {
    for (unsigned char* message : batch) {
      checksum += message[0];
      std::free(message);
    }
  }
  return checksum;
}

}  // namespace

int main(int argc, char** argv) {
  workload_args args = parse_workload_args(argc, argv);
  const int pairs = args.threads;
  const std::uint64_t messages_per_pair = scaled_count(&args, 3e6, 1000) / pairs;

  std::vector<BatchQueue> queues(pairs);
  std::vector<std::uint64_t> checksums(pairs, 0);
  std::vector<std::thread> threads;
  for (int pair = 0; pair < pairs; ++pair) {
    threads.emplace_back(produce, std::ref(queues[pair]), messages_per_pair, 0xABCDEFULL + pair);
    threads.emplace_back([&, pair] { checksums[pair] = consume(queues[pair]); });
  }
  for (std::thread& thread : threads) thread.join();
  std::uint64_t checksum = 0;
  for (std::uint64_t part : checksums) checksum += part;
  print_checksum("producer_consumer", checksum);
  return 0;
}
