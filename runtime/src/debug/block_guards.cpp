// Guard and fill writing and checking (see block_guards.hpp).
#include "debug/block_guards.hpp"

#include <cstring>

#include "memory_pool.hpp"

namespace osp::debug {
namespace {

// Adds the bytes of [start, start+length) that differ from `expected` to `damage`;
// `offset_base` is start's offset from the user pointer.
void scan(const std::uint8_t* start, std::size_t length, std::uint8_t expected,
          std::ptrdiff_t offset_base, Damage& damage) noexcept {
  damage.expected = expected;
  std::uint64_t pattern;
  std::memset(&pattern, expected, sizeof pattern);
  std::size_t index = 0;
  while (index < length) {
    // Skip intact words quickly; the common case is "nothing changed".
    if (index + sizeof pattern <= length) {
      std::uint64_t word;
      std::memcpy(&word, start + index, sizeof word);
      if (word == pattern) {
        index += sizeof pattern;
        continue;
      }
    }
    if (start[index] != expected) {
      std::ptrdiff_t offset = offset_base + static_cast<std::ptrdiff_t>(index);
      if (damage.changed_bytes == 0) damage.first_offset = offset;
      damage.last_offset = offset;
      if (damage.sample_count < Damage::kSampleBytes) {
        damage.sample_offsets[damage.sample_count] = offset;
        damage.sample_values[damage.sample_count] = start[index];
        ++damage.sample_count;
      }
      ++damage.changed_bytes;
    }
    ++index;
  }
}

// The user ranges that get filled: everything, or both ends of a large block.
struct FillRanges {
  std::size_t head_bytes;
  std::size_t tail_offset;
  std::size_t tail_bytes;
};

FillRanges fill_ranges(std::size_t requested) noexcept {
  if (requested <= kFullFillLimitBytes) return {requested, 0, 0};
  return {kBoundedFillBytes, requested - kBoundedFillBytes, kBoundedFillBytes};
}

}  // namespace

const char* allocation_function_name(api::AllocationKind kind) noexcept {
  switch (kind) {
    case api::AllocationKind::Malloc: return "malloc";
    case api::AllocationKind::New: return "operator new";
    case api::AllocationKind::NewArray: return "operator new []";
    case api::AllocationKind::Api: return "ALLOCATE";
  }
  return "?";
}

const char* deallocation_function_name(api::AllocationKind kind) noexcept {
  switch (kind) {
    case api::AllocationKind::Malloc: return "free";
    case api::AllocationKind::New: return "operator delete";
    case api::AllocationKind::NewArray: return "operator delete []";
    case api::AllocationKind::Api: return "DEALLOCATE";
  }
  return "?";
}

std::size_t guarded_tail_bytes(BlockHeader* header) noexcept {
  const std::size_t requested = header->requested_bytes;
  const std::size_t guaranteed = tail_guard_bytes(requested);
  const std::size_t used = header->alignment_offset + requested + guaranteed;
  const std::size_t usable = os_memory::pool::MemoryPool::usable_size(pool_block_of(header));
  if (usable <= used) return guaranteed;
  const std::size_t slack = usable - used;
  return guaranteed + (slack < kMaxSlackGuardBytes ? slack : kMaxSlackGuardBytes);
}

void write_guards(BlockHeader* header) noexcept {
  char* user = user_of(header);
  std::memset(user - kFrontGuardBytes, kGuardByte, kFrontGuardBytes);
  std::memset(user + header->requested_bytes, kGuardByte, guarded_tail_bytes(header));
}

void fill_user_bytes(BlockHeader* header, std::uint8_t byte) noexcept {
  char* user = user_of(header);
  FillRanges ranges = fill_ranges(header->requested_bytes);
  std::memset(user, byte, ranges.head_bytes);
  if (ranges.tail_bytes != 0) std::memset(user + ranges.tail_offset, byte, ranges.tail_bytes);
}

namespace {

// The fast path of the guard checks: whole words, no bookkeeping.
// A run of `byte`, to compare memory against with memcmp (vectorised in the C library):
// freed blocks are checked for their fill on every quarantine eviction.
struct PatternRun {
  std::uint8_t bytes[512];
};

constexpr PatternRun make_run(std::uint8_t byte) {
  PatternRun run{};
  for (std::uint8_t& value : run.bytes) value = byte;
  return run;
}

constexpr PatternRun kGuardRun = make_run(kGuardByte);
constexpr PatternRun kFreedFillRun = make_run(kFreedFillByte);

bool region_holds(const std::uint8_t* start, std::size_t length, std::uint8_t byte) noexcept {
  const PatternRun* run = byte == kGuardByte ? &kGuardRun : byte == kFreedFillByte ? &kFreedFillRun : nullptr;
  if (run == nullptr) {
    for (std::size_t index = 0; index < length; ++index) {
      if (start[index] != byte) return false;
    }
    return true;
  }
  while (length > 0) {
    const std::size_t chunk = length < sizeof(run->bytes) ? length : sizeof(run->bytes);
    if (std::memcmp(start, run->bytes, chunk) != 0) return false;
    start += chunk;
    length -= chunk;
  }
  return true;
}

}  // namespace

Damage check_front_guard(BlockHeader* header) noexcept {
  Damage damage;
  const auto* front = reinterpret_cast<const std::uint8_t*>(user_of(header)) - kFrontGuardBytes;
  if (region_holds(front, kFrontGuardBytes, kGuardByte)) return damage;
  scan(front, kFrontGuardBytes, kGuardByte, -static_cast<std::ptrdiff_t>(kFrontGuardBytes),
       damage);
  return damage;
}

Damage check_tail_guard(BlockHeader* header) noexcept {
  Damage damage;
  std::size_t requested = header->requested_bytes;
  const auto* start = reinterpret_cast<const std::uint8_t*>(user_of(header)) + requested;
  const std::size_t length = guarded_tail_bytes(header);
  if (region_holds(start, length, kGuardByte)) return damage;
  scan(start, length, kGuardByte, static_cast<std::ptrdiff_t>(requested),
       damage);
  return damage;
}

Damage check_freed_fill(BlockHeader* header) noexcept {
  Damage damage;
  const auto* user = reinterpret_cast<const std::uint8_t*>(user_of(header));
  FillRanges ranges = fill_ranges(header->requested_bytes);
  // The common case, an intact fill, is one vectorised compare per range.
  if (region_holds(user, ranges.head_bytes, kFreedFillByte) &&
      (ranges.tail_bytes == 0 || region_holds(user + ranges.tail_offset, ranges.tail_bytes, kFreedFillByte))) {
    return damage;
  }
  scan(user, ranges.head_bytes, kFreedFillByte, 0, damage);
  if (ranges.tail_bytes != 0) {
    scan(user + ranges.tail_offset, ranges.tail_bytes, kFreedFillByte,
         static_cast<std::ptrdiff_t>(ranges.tail_offset), damage);
  }
  return damage;
}

}  // namespace osp::debug
