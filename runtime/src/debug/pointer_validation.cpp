// Pointer validation (see pointer_validation.hpp). A user pointer U of alignment A sits
// front_offset(A) bytes after its pool block start, so the candidates are U minus the
// offsets of 16, 64, 128, 256 ... up to U's own alignment: a short walk, and the common
// case (alignment <= 32) is the first candidate.
#include "debug/pointer_validation.hpp"

#include <cstdint>

#include "debug/block_header.hpp"
#include "debug/guarded_blocks.hpp"
#include "memory_pool.hpp"

namespace osp::debug {
namespace {

using os_memory::pool::MemoryPool;

BlockHeader* header_if_block_start(std::uintptr_t user, std::size_t offset) noexcept {
  if (offset > user) return nullptr;
  auto* block = reinterpret_cast<void*>(user - offset);
  if (MemoryPool::block_bytes_at(block) < offset + kTailGuardBytes) return nullptr;
  BlockHeader* header = header_of(reinterpret_cast<void*>(user));
  std::uint32_t magic = header->magic;
  if (magic != kLiveMagic && magic != kRetiredMagic) return nullptr;
  if (header->alignment_offset != offset) return nullptr;
  return header;
}

}  // namespace

BlockHeader* find_header(const void* user) noexcept {
  auto address = reinterpret_cast<std::uintptr_t>(user);
  // Guarded slots first: their blocks may be aligned to less than 16 bytes.
  if (guarded_blocks::in_slots(user)) return guarded_blocks::find_header(user);
  if (address == 0 || address % kMinimumUserAlignment != 0) return nullptr;
  // Alignments 16 and 32 share an offset; 64 has its own; from 128 on the offset is the
  // alignment itself.
  if (BlockHeader* header = header_if_block_start(address, front_offset(16))) return header;
  if (address % 64 != 0) return nullptr;
  if (BlockHeader* header = header_if_block_start(address, front_offset(64))) return header;
  for (std::size_t alignment = 128; alignment <= kMaxAlignmentBytes && address % alignment == 0;
       alignment <<= 1) {
    if (BlockHeader* header = header_if_block_start(address, front_offset(alignment))) {
      return header;
    }
  }
  return nullptr;
}

}  // namespace osp::debug
