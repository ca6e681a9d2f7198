// Lock-free stack depot. Structure:
//   buckets:   2^20 chained-list heads, mapped on first use; a new node is pushed at the
//              head of its bucket with one CAS. Nodes are immutable once published, so
//              readers walk chains without locks.
//   nodes:     {next, hash, id, depth, frames[depth]} bump-allocated from 4 MiB chunks
//              taken from osp::os::map; a full chunk is replaced by CAS.
//   id tables: id -> node, in tables of 2^16 slots mapped on demand, so get() is two
//              loads.
// Race: two threads interning the same new stack both build a node; the CAS loser finds
// the winner's node among the nodes pushed ahead of it and returns the winner's id. The
// loser's node and id stay allocated but unreachable from any bucket ("orphan"); its id
// still resolves to identical frames, so nothing observable breaks.
#include "trace/stack_depot.hpp"

#include <atomic>
#include <cstring>

#include "os/os_memory.hpp"

namespace osp::trace {
namespace {

constexpr std::size_t kBucketCount = std::size_t{1} << 20;
constexpr std::size_t kNodeChunkBytes = std::size_t{4} << 20;
constexpr std::size_t kIdsPerTable = std::size_t{1} << 16;
constexpr std::size_t kMaxIdTables = 4096;  // ids up to 2^28 - 1
constexpr std::size_t kNodeAlignmentBytes = alignof(std::uintptr_t);

struct Node {
  Node* next;  // written before publication only
  std::uint64_t hash;
  StackId id;
  std::int32_t depth;
  std::uintptr_t* frames() noexcept { return reinterpret_cast<std::uintptr_t*>(this + 1); }
};

struct NodeChunk {
  std::atomic<std::size_t> used_bytes;
  std::size_t capacity_bytes;
  char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
};

struct DepotState {
  std::atomic<std::atomic<Node*>*> buckets{nullptr};
  std::atomic<NodeChunk*> current_chunk{nullptr};
  std::atomic<std::uint32_t> last_id{0};
  std::atomic<std::size_t> unique_stacks{0};
  std::atomic<std::size_t> bytes_mapped{0};
  std::atomic<std::atomic<Node*>*> id_tables[kMaxIdTables]{};
};

constinit DepotState depot_state{};
constinit StackDepot depot_instance{};

std::uint64_t hash_frames(const std::uintptr_t* frames, int depth) noexcept {
  StackHash hash;
  for (int i = 0; i < depth; ++i) hash.add(i, frames[i]);
  return hash.finish(depth);
}

// Inline word compare: stacks are short, a call into the C library's memcmp costs more.
bool same_frames(const std::uintptr_t* left, const std::uintptr_t* right, int depth) noexcept {
  for (int i = 0; i < depth; ++i) {
    if (left[i] != right[i]) return false;
  }
  return true;
}

// Maps `bytes` of zeroed memory and counts it; nullptr when the OS refuses.
void* map_counted(std::size_t bytes) noexcept {
  void* memory = os::map(bytes, os::page_size(), false);
  if (memory != nullptr) depot_state.bytes_mapped.fetch_add(bytes, std::memory_order_relaxed);
  return memory;
}

void release_counted(void* memory, std::size_t bytes) noexcept {
  os::release(memory, bytes);
  depot_state.bytes_mapped.fetch_sub(bytes, std::memory_order_relaxed);
}

// Returns *slot, mapping and installing a zeroed array of `bytes` first if it is null.
// Losing the install race releases our mapping and uses the winner's.
template <typename Element>
Element* get_or_map(std::atomic<Element*>& slot, std::size_t bytes) noexcept {
  Element* existing = slot.load(std::memory_order_acquire);
  if (existing != nullptr) return existing;
  auto* fresh = static_cast<Element*>(map_counted(bytes));
  if (fresh == nullptr) return nullptr;
  if (slot.compare_exchange_strong(existing, fresh, std::memory_order_acq_rel,
                                   std::memory_order_acquire)) {
    return fresh;
  }
  release_counted(fresh, bytes);
  return existing;
}

void* allocate_node_bytes(std::size_t bytes) noexcept {
  bytes = (bytes + kNodeAlignmentBytes - 1) & ~(kNodeAlignmentBytes - 1);
  for (;;) {
    NodeChunk* chunk = depot_state.current_chunk.load(std::memory_order_acquire);
    if (chunk != nullptr) {
      const std::size_t offset = chunk->used_bytes.fetch_add(bytes, std::memory_order_relaxed);
      if (offset + bytes <= chunk->capacity_bytes) return chunk->data() + offset;
    }
    auto* fresh = static_cast<NodeChunk*>(map_counted(kNodeChunkBytes));
    if (fresh == nullptr) return nullptr;
    fresh->capacity_bytes = kNodeChunkBytes - sizeof(NodeChunk);
    if (!depot_state.current_chunk.compare_exchange_strong(
            chunk, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
      release_counted(fresh, kNodeChunkBytes);  // another thread replaced it first
    }
  }
}

std::atomic<Node*>* id_slot(StackId id) noexcept {
  const std::size_t table_index = id / kIdsPerTable;
  if (table_index >= kMaxIdTables) return nullptr;
  std::atomic<Node*>* table = get_or_map(depot_state.id_tables[table_index],
                                         kIdsPerTable * sizeof(std::atomic<Node*>));
  return table == nullptr ? nullptr : &table[id % kIdsPerTable];
}

// Walks the chain from `node` up to (not including) `stop`.
const Node* find_in_chain(const Node* node, const Node* stop, std::uint64_t hash,
                          const std::uintptr_t* frames, int depth) noexcept {
  for (; node != stop; node = node->next) {
    if (node->hash == hash && node->depth == depth &&
        same_frames(const_cast<Node*>(node)->frames(), frames, depth)) {
      return node;
    }
  }
  return nullptr;
}

Node* make_node(std::uint64_t hash, const std::uintptr_t* frames, int depth) noexcept {
  const std::size_t bytes = sizeof(Node) + static_cast<std::size_t>(depth) * sizeof(std::uintptr_t);
  auto* node = static_cast<Node*>(allocate_node_bytes(bytes));
  if (node == nullptr) return nullptr;
  node->hash = hash;
  node->depth = depth;
  std::memcpy(node->frames(), frames, static_cast<std::size_t>(depth) * sizeof(std::uintptr_t));
  node->id = depot_state.last_id.fetch_add(1, std::memory_order_relaxed) + 1;
  std::atomic<Node*>* slot = id_slot(node->id);
  if (slot == nullptr) return nullptr;  // ids or memory exhausted; node bytes are lost
  slot->store(node, std::memory_order_release);
  return node;
}

}  // namespace

StackDepot& StackDepot::instance() noexcept { return depot_instance; }

StackId StackDepot::intern(const std::uintptr_t* frames, int depth) noexcept {
  if (frames == nullptr || depth <= 0) return kNoStack;
  if (depth > kMaxStackDepth) depth = kMaxStackDepth;
  return intern(frames, depth, hash_frames(frames, depth));
}

StackId StackDepot::intern(const std::uintptr_t* frames, int depth, std::uint64_t hash) noexcept {
  if (frames == nullptr || depth <= 0 || depth > kMaxStackDepth) return kNoStack;
  std::atomic<Node*>* buckets =
      get_or_map(depot_state.buckets, kBucketCount * sizeof(std::atomic<Node*>));
  if (buckets == nullptr) return kNoStack;
  std::atomic<Node*>& head = buckets[hash & (kBucketCount - 1)];

  Node* first = head.load(std::memory_order_acquire);
  if (const Node* found = find_in_chain(first, nullptr, hash, frames, depth)) return found->id;

  Node* node = make_node(hash, frames, depth);
  if (node == nullptr) return kNoStack;
  node->next = first;
  // Release publishes the node's contents; acquire on failure lets us read the nodes
  // other threads pushed meanwhile, which are the only ones we have not compared yet.
  while (!head.compare_exchange_weak(node->next, node, std::memory_order_release,
                                     std::memory_order_acquire)) {
    if (const Node* found = find_in_chain(node->next, first, hash, frames, depth)) {
      return found->id;  // lost the race to an identical stack: our node is an orphan
    }
    first = node->next;
  }
  depot_state.unique_stacks.fetch_add(1, std::memory_order_relaxed);
  return node->id;
}

StackView StackDepot::get(StackId id) const noexcept {
  const std::size_t table_index = id / kIdsPerTable;
  if (id == kNoStack || table_index >= kMaxIdTables) return {nullptr, 0};
  std::atomic<Node*>* table = depot_state.id_tables[table_index].load(std::memory_order_acquire);
  if (table == nullptr) return {nullptr, 0};
  Node* node = table[id % kIdsPerTable].load(std::memory_order_acquire);
  if (node == nullptr) return {nullptr, 0};
  return {node->frames(), node->depth};
}

std::size_t StackDepot::unique_stacks() const noexcept {
  return depot_state.unique_stacks.load(std::memory_order_relaxed);
}

std::size_t StackDepot::bytes_used() const noexcept {
  return depot_state.bytes_mapped.load(std::memory_order_relaxed);
}

}  // namespace osp::trace
