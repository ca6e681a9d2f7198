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

// Where a pattern goes: `before` bytes ahead of the user pointer, the user bytes (only
// both ends of a block over kFullFillLimitBytes) and `after` bytes past them. One span,
// or two for a large block; offsets are from the user pointer.
struct Spans {
  std::ptrdiff_t head_offset;
  std::size_t head_bytes;
  std::ptrdiff_t tail_offset;
  std::size_t tail_bytes;  // 0: one span
};

Spans pattern_spans(std::size_t requested, std::size_t before, std::size_t after) noexcept {
  const auto head = -static_cast<std::ptrdiff_t>(before);
  if (requested <= kFullFillLimitBytes) return {head, before + requested + after, 0, 0};
  return {head, before + kBoundedFillBytes,
          static_cast<std::ptrdiff_t>(requested - kBoundedFillBytes), kBoundedFillBytes + after};
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
  // A detached header is out of the program's reach; its canaries end at the open pages.
  if (header->detached()) return detached_of(header)->tail_canary_bytes;
  // Bounded, so a header damaged by a wild write cannot send a check far past the block.
  const std::size_t stored = header->tail_guard_bytes;
  return stored < kMaxTailGuardBytes ? stored : kMaxTailGuardBytes;
}

std::size_t front_guard_bytes(BlockHeader* header) noexcept {
  return header->detached() ? header->alignment_offset : kFrontGuardBytes;
}

namespace {

// Short ranges (guards, small blocks) are written and compared 16 bytes at a time
// inline: a call into the C library costs more than the work. Longer ones use
// memset/memcmp.
constexpr std::size_t kInlineRangeBytes = 128;

std::uint64_t repeated(std::uint8_t byte) noexcept {
  return 0x0101010101010101ULL * byte;
}

// Sixteen bytes per load or store (SSE2 on x86-64, NEON on ARM64), unaligned.
using Bytes16 = std::uint64_t __attribute__((vector_size(16)));

Bytes16 repeated16(std::uint8_t byte) noexcept {
  const std::uint64_t word = repeated(byte);
  return Bytes16{word, word};
}

// Ranges of 16 bytes or more (every guard, every freed range) are covered by 16-byte
// operations with the last one overlapping the one before it, so no byte-sized tail
// loop runs; shorter ones (small user blocks) take at most two 8-byte operations. Inline,
// so a constant length folds; longer ranges go to memset out of line.
inline void set_short_range(char* start, std::uint8_t byte, std::size_t length) noexcept {
  if (length >= sizeof(Bytes16)) {
    const Bytes16 pattern = repeated16(byte);
    char* const last = start + length - sizeof pattern;
    for (char* at = start; at < last; at += sizeof pattern) {
      std::memcpy(at, &pattern, sizeof pattern);
    }
    std::memcpy(last, &pattern, sizeof pattern);
    return;
  }
  const std::uint64_t word = repeated(byte);
  if (length >= sizeof word) {
    std::memcpy(start, &word, sizeof word);
    std::memcpy(start + length - sizeof word, &word, sizeof word);
    return;
  }
  for (std::size_t index = 0; index < length; ++index) start[index] = static_cast<char>(byte);
}

inline void set_range(char* start, std::uint8_t byte, std::size_t length) noexcept {
  if (length > kInlineRangeBytes) {
    std::memset(start, byte, length);
    return;
  }
  set_short_range(start, byte, length);
}

void set_spans(char* user, const Spans& spans, std::uint8_t byte) noexcept {
  set_range(user + spans.head_offset, byte, spans.head_bytes);
  if (spans.tail_bytes != 0) set_range(user + spans.tail_offset, byte, spans.tail_bytes);
}

// A run of `byte`, to compare long ranges against with memcmp.
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

// Up to kInlineRangeBytes (every front guard, most tail guards and small blocks):
// overlapping 16-byte operations, as in set_range. Inline, so a constant length folds.
inline bool short_range_holds(const std::uint8_t* start, std::size_t length,
                              std::uint8_t byte) noexcept {
  if (length >= sizeof(Bytes16)) {
    const Bytes16 expected = repeated16(byte);
    Bytes16 differences{};
    const std::uint8_t* const last = start + length - sizeof expected;
    Bytes16 bytes;
    for (const std::uint8_t* at = start; at < last; at += sizeof expected) {
      std::memcpy(&bytes, at, sizeof bytes);
      differences |= bytes ^ expected;
    }
    std::memcpy(&bytes, last, sizeof bytes);
    differences |= bytes ^ expected;
    return (differences[0] | differences[1]) == 0;
  }
  const std::uint64_t expected = repeated(byte);
  if (length >= sizeof expected) {
    std::uint64_t first;
    std::uint64_t second;
    std::memcpy(&first, start, sizeof first);
    std::memcpy(&second, start + length - sizeof second, sizeof second);
    return ((first ^ expected) | (second ^ expected)) == 0;
  }
  std::uint64_t differences = 0;
  for (std::size_t index = 0; index < length; ++index) differences |= start[index] ^ byte;
  return differences == 0;
}

// Longer ranges: memcmp against a run of the pattern, 512 bytes at a time.
[[gnu::noinline]] bool long_range_holds(const std::uint8_t* start, std::size_t length,
                                        std::uint8_t byte) noexcept {
  const PatternRun* run =
      byte == kGuardByte ? &kGuardRun : byte == kFreedFillByte ? &kFreedFillRun : nullptr;
  if (run == nullptr) return short_range_holds(start, length, byte);
  while (length > 0) {
    const std::size_t chunk = length < sizeof(run->bytes) ? length : sizeof(run->bytes);
    if (std::memcmp(start, run->bytes, chunk) != 0) return false;
    start += chunk;
    length -= chunk;
  }
  return true;
}

inline bool range_holds(const std::uint8_t* start, std::size_t length, std::uint8_t byte) noexcept {
  return length <= kInlineRangeBytes ? short_range_holds(start, length, byte)
                                     : long_range_holds(start, length, byte);
}

std::size_t measure_tail_guard(BlockHeader* header) noexcept {
  const std::size_t requested = header->requested_bytes;
  const std::size_t guaranteed = tail_guard_bytes(requested);
  const std::size_t used = header->alignment_offset + requested + guaranteed;
  const std::size_t usable = os_memory::pool::MemoryPool::usable_size(pool_block_of(header));
  if (usable <= used) return guaranteed;
  const std::size_t slack = usable - used;
  return guaranteed + (slack < kMaxSlackGuardBytes ? slack : kMaxSlackGuardBytes);
}

const std::uint8_t* front_guard_of(BlockHeader* header) noexcept {
  return reinterpret_cast<const std::uint8_t*>(user_of(header)) - front_guard_bytes(header);
}

const std::uint8_t* tail_guard_of(BlockHeader* header) noexcept {
  return reinterpret_cast<const std::uint8_t*>(user_of(header)) + header->requested_bytes;
}

// A freed block's range: its front guard, user bytes and tail guard.
Spans freed_spans(BlockHeader* header) noexcept {
  return pattern_spans(header->requested_bytes, kFrontGuardBytes, guarded_tail_bytes(header));
}

// The front guard of a header in its block is a fixed 16 bytes: one 16-byte operation.
// A guarded slot's (detached header) is its alignment offset.
void write_front_guard(BlockHeader* header) noexcept {
  if (header->detached()) {
    set_range(user_of(header) - front_guard_bytes(header), kGuardByte, front_guard_bytes(header));
    return;
  }
  set_short_range(user_of(header) - kFrontGuardBytes, kGuardByte, kFrontGuardBytes);
}

bool front_guard_intact(BlockHeader* header) noexcept {
  if (header->detached()) {
    return range_holds(front_guard_of(header), front_guard_bytes(header), kGuardByte);
  }
  return short_range_holds(front_guard_of(header), kFrontGuardBytes, kGuardByte);
}

}  // namespace

void write_guards(BlockHeader* header) noexcept {
  header->tail_guard_bytes = header->detached() ? 0 : measure_tail_guard(header);
  write_front_guard(header);
  set_range(user_of(header) + header->requested_bytes, kGuardByte, guarded_tail_bytes(header));
}

void fill_user_bytes(BlockHeader* header, std::uint8_t byte) noexcept {
  set_spans(user_of(header), pattern_spans(header->requested_bytes, 0, 0), byte);
}

bool guards_intact(BlockHeader* header) noexcept {
  return front_guard_intact(header) &&
         range_holds(tail_guard_of(header), guarded_tail_bytes(header), kGuardByte);
}

void fill_freed_block(BlockHeader* header) noexcept {
  set_spans(user_of(header), freed_spans(header), kFreedFillByte);
}

bool freed_block_intact(BlockHeader* header) noexcept {
  const auto* user = reinterpret_cast<const std::uint8_t*>(user_of(header));
  const Spans spans = freed_spans(header);
  return range_holds(user + spans.head_offset, spans.head_bytes, kFreedFillByte) &&
         (spans.tail_bytes == 0 ||
          range_holds(user + spans.tail_offset, spans.tail_bytes, kFreedFillByte));
}

Damage check_front_guard(BlockHeader* header) noexcept {
  Damage damage;
  const std::uint8_t* front = front_guard_of(header);
  const std::size_t length = front_guard_bytes(header);
  if (range_holds(front, length, kGuardByte)) return damage;
  scan(front, length, kGuardByte, -static_cast<std::ptrdiff_t>(length), damage);
  return damage;
}

Damage check_tail_guard(BlockHeader* header) noexcept {
  Damage damage;
  const std::uint8_t* start = tail_guard_of(header);
  const std::size_t length = guarded_tail_bytes(header);
  if (range_holds(start, length, kGuardByte)) return damage;
  scan(start, length, kGuardByte, static_cast<std::ptrdiff_t>(header->requested_bytes), damage);
  return damage;
}

Damage check_freed_block(BlockHeader* header) noexcept {
  Damage damage;
  if (freed_block_intact(header)) return damage;
  const auto* user = reinterpret_cast<const std::uint8_t*>(user_of(header));
  const Spans spans = freed_spans(header);
  scan(user + spans.head_offset, spans.head_bytes, kFreedFillByte, spans.head_offset, damage);
  if (spans.tail_bytes != 0) {
    scan(user + spans.tail_offset, spans.tail_bytes, kFreedFillByte, spans.tail_offset, damage);
  }
  return damage;
}

}  // namespace osp::debug
