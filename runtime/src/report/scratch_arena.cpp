// A bump allocator over chunks of OS memory (see scratch_arena.hpp).
#include "report/scratch_arena.hpp"

#include <cstdint>

#include "os/os_memory.hpp"

namespace osp::report {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

std::size_t round_up(std::size_t value, std::size_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

}  // namespace

ScratchArena::~ScratchArena() {
  while (newest_ != nullptr) {
    Chunk* previous = newest_->previous;
    os::release(newest_, newest_->bytes);
    newest_ = previous;
  }
}

void* ScratchArena::allocate_bytes(std::size_t bytes, std::size_t alignment) noexcept {
  if (bytes == 0) bytes = 1;
  auto cursor = round_up(reinterpret_cast<std::uintptr_t>(cursor_), alignment);
  if (cursor_ == nullptr || cursor + bytes > reinterpret_cast<std::uintptr_t>(limit_) ||
      cursor + bytes < cursor) {
    const std::size_t header = round_up(sizeof(Chunk), 64);
    if (bytes > (std::size_t{1} << 46)) return nullptr;
    const std::size_t chunk_bytes = round_up(header + bytes + alignment, kChunkBytes);
    auto* chunk = static_cast<Chunk*>(os::map(chunk_bytes, os::page_size(), false));
    if (chunk == nullptr) return nullptr;
    chunk->previous = newest_;
    chunk->bytes = chunk_bytes;
    newest_ = chunk;
    mapped_bytes_ += chunk_bytes;
    cursor_ = reinterpret_cast<char*>(chunk) + header;
    limit_ = reinterpret_cast<char*>(chunk) + chunk_bytes;
    cursor = round_up(reinterpret_cast<std::uintptr_t>(cursor_), alignment);
  }
  cursor_ = reinterpret_cast<char*>(cursor + bytes);
  return reinterpret_cast<void*>(cursor);  // os::map memory is zeroed and never reused
}

}  // namespace osp::report
