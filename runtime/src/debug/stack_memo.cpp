// Per-thread memo of stack walks (see stack_memo.hpp). The memo is 270 KiB of address
// space from the OS layer (resident only as far as its sets are used), reached through an
// initial-exec TLS pointer and given back at thread exit; a thread whose memo is gone (or
// could not be mapped) just walks every time.
#include "debug/stack_memo.hpp"

#include <cstring>

#include "os/os_memory.hpp"
#include "trace/code_ranges.hpp"
#include "trace/stack_capture.hpp"
#include "trace/thread_stack_bounds.hpp"
#include "os/platform.hpp"

namespace osp::debug {
namespace {

// A program's hot allocation paths outnumber a handful of walks: 256 are kept per thread,
// four per set, since one entry frame and caller (malloc called from one place at one
// depth) is often reached from several outer paths. On sqlite3, 32 walks in sets of two
// took 1.4 s of CPU where these take 1.0 s.
constexpr int kSetBits = 6;
constexpr int kSets = 1 << kSetBits;
constexpr int kWays = 4;
// Walks that read more stack words than this are not remembered. The default depth of 16
// frames reads 34 words by frame pointers, a few more from a runtime function's own frame;
// an eh_frame walk reads the return address of each frame and the RBP of those that saved
// it.
constexpr int kMaxWords = 64;

struct Walk {
  std::uintptr_t entry_frame;
  std::uintptr_t caller;
  std::uintptr_t start_at;
  std::uint64_t generation;  // of the code ranges the walk checked its frames against
  std::int32_t max_depth;
  std::int32_t method;
  std::int32_t words;  // 0: empty
  std::int32_t pairs;  // of adjacent words, first; the other words follow, one by one
  trace::StackId id;
  // Pair k: addresses[k] and the word after it, which held values[2k] and values[2k + 1].
  // Word j after the pairs: addresses[pairs + j], which held values[2 * pairs + j]. A frame
  // record (saved frame pointer and return address) is a pair, checked by one 16-byte
  // load where two words took two address loads and two value loads.
  std::uintptr_t addresses[kMaxWords];
  std::uintptr_t values[kMaxWords];
};

struct StackMemo {
  // The walks were validated against these bounds; other bounds (a recycled thread
  // stack) invalidate them all.
  trace::StackBounds bounds;
  unsigned char next_victim[kSets];
  Walk walks[kSets][kWays];
};

std::size_t memo_bytes() noexcept {
  const std::size_t page = os::page_size();
  return (sizeof(StackMemo) + page - 1) / page * page;
}

// Not mapped yet; kGone after thread exit or when the OS refused.
StackMemo* const kGone = reinterpret_cast<StackMemo*>(1);
OSP_THREAD_LOCAL(StackMemo*) t_memo;

void release_memo(void* memo) {
  os::release(memo, memo_bytes());
  t_memo = kGone;
}

StackMemo* memo_of_this_thread() noexcept {
  StackMemo* memo = t_memo;
  if (memo != nullptr) [[likely]] return memo == kGone ? nullptr : memo;
  t_memo = kGone;  // a nested call while mapping walks without the memo
  void* pages = os::map(memo_bytes(), os::page_size(), false);
  if (pages == nullptr) return nullptr;
  t_memo = static_cast<StackMemo*>(pages);
  os::at_thread_exit(release_memo, pages);
  return t_memo;
}

// True when every word the remembered walk read is still where it read it. The
// addresses were inside this thread's stack when read, and the bounds are unchanged.
using Words2 = std::uint64_t __attribute__((vector_size(16)));

bool still_valid(const Walk& walk) noexcept {
  Words2 pair_differences{};
  for (int pair = 0; pair < walk.pairs; ++pair) {
    Words2 now;
    Words2 then;
    std::memcpy(&now, reinterpret_cast<const void*>(walk.addresses[pair]), sizeof now);
    std::memcpy(&then, &walk.values[2 * pair], sizeof then);
    pair_differences |= now ^ then;
  }
  std::uintptr_t differences = pair_differences[0] | pair_differences[1];
  const int singles = walk.words - 2 * walk.pairs;
  for (int single = 0; single < singles; ++single) {
    differences |= *reinterpret_cast<const std::uintptr_t*>(walk.addresses[walk.pairs + single]) ^
                   walk.values[2 * walk.pairs + single];
  }
  return differences == 0;
}

// Stores the walk's words (as read, in order) in the walk's layout: adjacent words as
// pairs first, then the rest.
void store_words(Walk& walk, const std::uintptr_t* addresses, const std::uintptr_t* values,
                 int count) noexcept {
  int pairs = 0;
  int singles = 0;
  std::uintptr_t single_addresses[kMaxWords];
  std::uintptr_t single_values[kMaxWords];
  for (int index = 0; index < count;) {
    if (index + 1 < count && addresses[index + 1] == addresses[index] + sizeof(std::uintptr_t)) {
      walk.addresses[pairs] = addresses[index];
      walk.values[2 * pairs] = values[index];
      walk.values[2 * pairs + 1] = values[index + 1];
      ++pairs;
      index += 2;
    } else if (index + 1 < count &&
               addresses[index] == addresses[index + 1] + sizeof(std::uintptr_t)) {
      walk.addresses[pairs] = addresses[index + 1];
      walk.values[2 * pairs] = values[index + 1];
      walk.values[2 * pairs + 1] = values[index];
      ++pairs;
      index += 2;
    } else {
      single_addresses[singles] = addresses[index];
      single_values[singles] = values[index];
      ++singles;
      ++index;
    }
  }
  for (int single = 0; single < singles; ++single) {
    walk.addresses[pairs + single] = single_addresses[single];
    walk.values[2 * pairs + single] = single_values[single];
  }
  walk.pairs = pairs;
  walk.words = count;
}

int set_of(std::uintptr_t entry_frame, std::uintptr_t caller) noexcept {
  const std::uint64_t mixed = (caller ^ (entry_frame << 7)) * 0x9e3779b97f4a7c15ULL;
  return static_cast<int>(mixed >> (64 - kSetBits));
}

// Walks from the entry frame and interns the stack; fills `remembered` (when not null)
// with the words read. False when the entry frame is not usable.
struct WalkKey {
  std::uintptr_t entry_frame;
  std::uintptr_t caller;
  int max_depth;
  trace::UnwindMethod method;
  std::uintptr_t start_at;
  int search_limit;
};

bool walk_and_intern(const WalkKey& key, trace::WalkRecords* remembered,
                     trace::StackId& id) noexcept {
  std::uintptr_t frames[trace::kMaxStackDepth];
  std::uint64_t hash = 0;
  const int depth = trace::capture_stack_from_entry_frame(
      key.entry_frame, key.caller, frames, key.max_depth, &hash, remembered, key.method,
      key.start_at, key.search_limit);
  if (depth <= 0) return false;
  id = trace::StackDepot::instance().intern(frames, depth, hash);
  return true;
}

}  // namespace

namespace {

// Everything but a hit: mapping the memo, a change of stack bounds, and a walk whose
// result is remembered. Out of line, so the hit path needs no stack frame of its own.
__attribute__((noinline)) bool walk_and_remember(const WalkKey& key, trace::StackId& id) noexcept {
  StackMemo* memo = memo_of_this_thread();
  trace::StackBounds bounds;
  if (memo == nullptr || !trace::current_thread_stack_bounds(bounds)) {
    return walk_and_intern(key, nullptr, id);
  }
  if (memo->bounds.low != bounds.low || memo->bounds.high != bounds.high) {
    for (auto& ways : memo->walks) {
      for (Walk& walk : ways) walk.words = 0;
    }
    memo->bounds = bounds;
  }
  const int set = set_of(key.entry_frame, key.caller ^ key.start_at);
  Walk& victim = memo->walks[set][memo->next_victim[set]];
  victim.words = 0;  // not valid until complete
  std::uintptr_t addresses[kMaxWords];
  std::uintptr_t values[kMaxWords];
  trace::WalkRecords records{addresses, values, kMaxWords, 0, 0};
  if (!walk_and_intern(key, &records, id)) return false;
  if (records.count > 0 && id != trace::kNoStack) {
    victim.entry_frame = key.entry_frame;
    victim.caller = key.caller;
    victim.start_at = key.start_at;
    victim.generation = records.generation;
    victim.max_depth = key.max_depth;
    victim.method = static_cast<std::int32_t>(key.method);
    victim.id = id;
    store_words(victim, addresses, values, records.count);
    memo->next_victim[set] = static_cast<unsigned char>((memo->next_victim[set] + 1) % kWays);
  }
  return true;
}

}  // namespace

bool intern_stack_from_entry_frame(std::uintptr_t entry_frame, std::uintptr_t caller,
                                   int max_depth, trace::UnwindMethod method,
                                   trace::StackId& id, std::uintptr_t start_at,
                                   int search_limit) noexcept {
  if (max_depth > trace::kMaxStackDepth) max_depth = trace::kMaxStackDepth;
  const StackMemo* memo = t_memo;
  const trace::detail::ThreadStackCache& stack = trace::detail::thread_stack_cache;
  // A hit needs a memo validated against this thread's current stack bounds, and an
  // entry frame inside them (so it can be read); the walks remembered for it were
  // validated against the same bounds.
  // Null (not mapped yet) and kGone are the two addresses below 2.
  if (reinterpret_cast<std::uintptr_t>(memo) > reinterpret_cast<std::uintptr_t>(kGone) &&
      stack.state == trace::detail::FetchState::Known &&
      memo->bounds.low == stack.low && memo->bounds.high == stack.high &&
      entry_frame % sizeof(std::uintptr_t) == 0 && entry_frame >= stack.low &&
      entry_frame <= stack.high - 2 * sizeof(std::uintptr_t)) [[likely]] {
    const std::uint64_t generation = trace::code_ranges_generation();
    for (const Walk& walk : memo->walks[set_of(entry_frame, caller ^ start_at)]) {
      if (walk.words > 0 && walk.entry_frame == entry_frame && walk.caller == caller &&
          walk.start_at == start_at && walk.max_depth == max_depth &&
          walk.method == static_cast<std::int32_t>(method) && walk.generation == generation &&
          still_valid(walk)) {
        id = walk.id;
        return true;
      }
    }
  }
  return walk_and_remember({entry_frame, caller, max_depth, method, start_at, search_limit}, id);
}

}  // namespace osp::debug
