// Stack capture: a frame-pointer walk, an eh_frame walk (x86-64) and a libunwind walk, all
// malloc-free. Frame record layout on x86-64 and AArch64: the frame pointer points at
// [saved caller frame pointer, return address]. Every stack word is read only after
// checking it lies inside the thread's stack above the current frame, so a corrupt chain
// or a wrong rule ends the walk instead of faulting; every return address is checked to
// be code (frame_rule_for says NotCode otherwise) before it is kept.
#define UNW_LOCAL_ONLY
#include "trace/stack_capture.hpp"

#include <libunwind.h>

#include "trace/code_ranges.hpp"
#include "trace/frame_rule_cache.hpp"
#include "trace/stack_depot.hpp"
#include "trace/thread_stack_bounds.hpp"

namespace osp::trace {
namespace {

constexpr std::uintptr_t kWordBytes = sizeof(std::uintptr_t);
constexpr std::uintptr_t kFrameRecordBytes = 2 * kWordBytes;
// libunwind is given a stack buffer; frames beyond it are not captured.
constexpr int kLibunwindBufferFrames = 256;
// How far into libunwind's result we look for our own caller before giving up.
constexpr int kMaxInternalFrames = 8;

std::uintptr_t strip_pointer_authentication(std::uintptr_t return_address) noexcept {
#if defined(__aarch64__)
  // XPACLRI (a NOP on cores without pointer authentication) clears the PAC bits of x30.
  register std::uintptr_t link_register __asm__("x30") = return_address;
  __asm__("hint #7" : "+r"(link_register));
  return link_register;
#else
  return return_address;
#endif
}

bool is_code(const FrameRuleLookup& rules, std::uintptr_t return_address) noexcept {
  return rules(return_address).kind != FrameRuleKind::NotCode;
}

// Where a walk starts storing: after `skip_frames` frames, or (when `start_at` is not 0)
// at the frame whose return address is `start_at`, searched for among the first
// `search_limit` frames.
struct WalkStart {
  int skip_frames;
  std::uintptr_t start_at;
  int search_limit;
};

// Takes the walk's return addresses in order and keeps those the start asks for.
class FrameSink {
 public:
  FrameSink(std::uintptr_t* frames, int max_depth, WalkStart start) noexcept
      : frames_(frames), max_depth_(max_depth), start_(start), searching_(start.start_at != 0) {}

  bool full() const noexcept { return count_ >= max_depth_; }
  // False when the walk should stop: the search for the start gave up.
  bool offer(std::uintptr_t return_address) noexcept {
    if (searching_) {
      if (return_address == start_.start_at) {
        searching_ = false;
        frames_[count_++] = return_address;
      } else if (++passed_ > start_.search_limit) {
        return false;
      }
    } else if (passed_ < start_.skip_frames) {
      ++passed_;
    } else {
      frames_[count_++] = return_address;
    }
    return true;
  }
  // The frame count, or -1 when the start was searched for and not found.
  int result() const noexcept { return searching_ ? -1 : count_; }

 private:
  std::uintptr_t* frames_;
  int max_depth_;
  WalkStart start_;
  bool searching_;
  int passed_ = 0;
  int count_ = 0;
};

// Only the words a decision depends on: a word next to them may change between two
// calls on the same path (a spilled loop counter) without changing the walk.
void remember_word(WalkRecords* records, std::uintptr_t address) noexcept {
  if (records == nullptr) [[likely]] return;
  if (records->count >= 0 && records->count < records->capacity) {
    records->addresses[records->count] = address;
    records->values[records->count] = *reinterpret_cast<const std::uintptr_t*>(address);
    ++records->count;
  } else {
    records->count = -1;
  }
}

void walk_frame_pointers(std::uintptr_t frame_pointer, FrameSink& sink,
                         const StackBounds& bounds, WalkRecords* records) noexcept {
  // The first record is the lowest legal one; anything below it is not a caller.
  std::uintptr_t lowest_allowed = frame_pointer;
  const std::uintptr_t highest_record = bounds.high - kFrameRecordBytes;
  const FrameRuleLookup rules;
  while (!sink.full()) {
    if (frame_pointer < lowest_allowed || frame_pointer > highest_record ||
        frame_pointer < bounds.low || frame_pointer % kWordBytes != 0) {
      break;
    }
    const auto* record = reinterpret_cast<const std::uintptr_t*>(frame_pointer);
    remember_word(records, frame_pointer);
    remember_word(records, frame_pointer + kWordBytes);
    const std::uintptr_t return_address = strip_pointer_authentication(record[1]);
    if (!is_code(rules, return_address) || !sink.offer(return_address)) break;
    // Strictly increasing: a loop in the chain cannot spin forever.
    lowest_allowed = frame_pointer + kFrameRecordBytes;
    frame_pointer = record[0];
  }
}

// The eh_frame walk evaluates x86-64 rules (frame_rules.hpp). On AArch64, where GCC keeps
// frame records by default, EhFrame walks the frame records instead.
#if defined(__x86_64__)
// The registers an eh_frame walk tracks, as they are in the frame of `instruction`.
struct UnwindRegisters {
  std::uintptr_t instruction;  // a return address into this frame's function
  std::uintptr_t stack_pointer;
  std::uintptr_t frame_pointer;
  bool frame_pointer_known;
  // The stack word frame_pointer was read from, not yet remembered (0: none). In code
  // without frame pointers RBP holds data, different from one call to the next; a walk
  // depends on it only where a rule uses it, so only there does the memo keep it.
  std::uintptr_t frame_pointer_slot;
};

// The walk is about to use the frame-pointer value: the word it came from is one the
// walk depends on.
void remember_frame_pointer_source(WalkRecords* records, UnwindRegisters& registers) noexcept {
  if (registers.frame_pointer_slot == 0) return;
  remember_word(records, registers.frame_pointer_slot);
  registers.frame_pointer_slot = 0;
}

// One step to the caller's registers; false when the walk must end here.
bool step_with_rule(const FrameRule& rule, UnwindRegisters& registers,
                    const StackBounds& bounds, WalkRecords* records) noexcept {
  std::uintptr_t cfa = 0;
  bool frame_pointer_saved = rule.frame_pointer_saved();
  std::intptr_t frame_pointer_offset = rule.frame_pointer_offset;
  if (rule.kind == FrameRuleKind::Step) {
    if (rule.cfa_from_frame_pointer() && !registers.frame_pointer_known) return false;
    if (rule.cfa_from_frame_pointer()) remember_frame_pointer_source(records, registers);
    cfa = (rule.cfa_from_frame_pointer() ? registers.frame_pointer : registers.stack_pointer) +
          rule.cfa_offset;
  } else if (rule.kind == FrameRuleKind::NoUnwindInfo && registers.frame_pointer_known) {
    // Code without unwind tables (hand-written or generated): its frame record, if RBP
    // points at one; a return address that is not code ends the walk next round.
    remember_frame_pointer_source(records, registers);
    cfa = registers.frame_pointer + kFrameRecordBytes;
    frame_pointer_saved = true;
    frame_pointer_offset = -static_cast<std::intptr_t>(kFrameRecordBytes);
  } else {
    return false;  // Outermost, Unsupported, or no frame pointer to fall back on
  }
  // The caller's frame is above this one (so the walk ends), its return address at
  // CFA-8 inside the stack.
  if (cfa % kWordBytes != 0 || cfa < registers.stack_pointer + kWordBytes ||
      cfa > bounds.high || cfa < bounds.low + kWordBytes) {
    return false;
  }
  const std::uintptr_t return_address_slot = cfa - kWordBytes;
  remember_word(records, return_address_slot);
  const std::uintptr_t return_address = *reinterpret_cast<const std::uintptr_t*>(return_address_slot);
  if (frame_pointer_saved) {
    const std::uintptr_t slot = cfa + static_cast<std::uintptr_t>(frame_pointer_offset);
    // A saved register lies in this frame: [stack pointer, return address slot).
    if (slot % kWordBytes != 0 || slot >= return_address_slot || slot < registers.stack_pointer) {
      return false;
    }
    registers.frame_pointer = *reinterpret_cast<const std::uintptr_t*>(slot);
    registers.frame_pointer_slot = slot;
    registers.frame_pointer_known = true;
  } else if (rule.frame_pointer_lost()) {
    registers.frame_pointer_known = false;
    registers.frame_pointer_slot = 0;
  }
  registers.stack_pointer = cfa;
  registers.instruction = strip_pointer_authentication(return_address);
  return true;
}

// Starts in the frame of `instruction`, whose frame-pointer register was read from
// `frame_pointer_slot`. Scalars, not an UnwindRegisters: a 40-byte argument built from
// narrow stores and read back in wide loads stalls store forwarding on every capture.
void walk_frame_rules(std::uintptr_t instruction, std::uintptr_t stack_pointer,
                      std::uintptr_t frame_pointer_slot, FrameSink& sink,
                      const StackBounds& bounds, WalkRecords* records) noexcept {
  if (stack_pointer < bounds.low || stack_pointer >= bounds.high) return;
  UnwindRegisters registers;
  registers.instruction = instruction;
  registers.stack_pointer = stack_pointer;
  registers.frame_pointer = *reinterpret_cast<const std::uintptr_t*>(frame_pointer_slot);
  registers.frame_pointer_known = true;
  registers.frame_pointer_slot = frame_pointer_slot;
  const FrameRuleLookup rules;
  while (!sink.full()) {
    const FrameRule rule = rules(registers.instruction);
    if (rule.kind == FrameRuleKind::NotCode || !sink.offer(registers.instruction)) break;
    if (sink.full() || !step_with_rule(rule, registers, bounds, records)) break;
  }
}
#endif

// libunwind's fast path (unw_backtrace) keeps a per-thread cache whose destructor locks
// a mutex at thread exit; ThreadSanitizer has already torn the thread down by then and
// crashes, so TSan builds step the cursor instead (slower, no per-thread cache).
#if defined(__SANITIZE_THREAD__)
int unwind_into(void** buffer, int capacity) noexcept {
  unw_context_t context;
  unw_cursor_t cursor;
  if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) return 0;
  int count = 0;
  do {
    unw_word_t instruction_pointer = 0;
    if (unw_get_reg(&cursor, UNW_REG_IP, &instruction_pointer) != 0) break;
    buffer[count++] = reinterpret_cast<void*>(instruction_pointer);
  } while (count < capacity && unw_step(&cursor) > 0);
  return count;
}
#else
int unwind_into(void** buffer, int capacity) noexcept { return unw_backtrace(buffer, capacity); }
#endif

// `caller_return_address` is the capturing function's return address: libunwind's
// result starts with its own and our frames, and frame 0 is the entry equal to it.
__attribute__((noinline)) void walk_with_libunwind(std::uintptr_t caller_return_address,
                                                   FrameSink& sink, int wanted) noexcept {
  void* buffer[kLibunwindBufferFrames];
  wanted += kMaxInternalFrames;
  if (wanted > kLibunwindBufferFrames || wanted < 0) wanted = kLibunwindBufferFrames;
  const int captured = unwind_into(buffer, wanted);
  // libunwind's AArch64 trace gives each return address minus one (inside the call
  // instruction); the walk hands on return addresses, as the other methods do.
  int first = -1;
  std::uintptr_t adjustment = 0;
  for (int i = 0; i < captured && i < kMaxInternalFrames; ++i) {
    const auto address = reinterpret_cast<std::uintptr_t>(buffer[i]);
    if (address == caller_return_address || address + 1 == caller_return_address) {
      first = i;
      adjustment = caller_return_address - address;
      break;
    }
  }
  if (first < 0) return;  // our own frames were not recognisable: report nothing
  const FrameRuleLookup rules;
  for (int i = first; i < captured && !sink.full(); ++i) {
    const auto address = reinterpret_cast<std::uintptr_t>(buffer[i]) + adjustment;
    if (!is_code(rules, address) || !sink.offer(address)) break;
  }
}

// The captures below must be noinline with a frame record of their own: the walk starts
// at that record, whose return address is the capturing function's frame 0.
__attribute__((always_inline)) inline int capture_here(std::uintptr_t return_address,
                                                       std::uintptr_t frame_pointer,
                                                       std::uintptr_t* frames, int max_depth,
                                                       WalkStart start,
                                                       UnwindMethod method) noexcept {
  FrameSink sink(frames, max_depth, start);
  if (method == UnwindMethod::Libunwind) {
    walk_with_libunwind(return_address, sink,
                        start.skip_frames + start.search_limit + max_depth);
    return sink.result();
  }
  StackBounds bounds;
  if (!current_thread_stack_bounds(bounds)) return 0;
  if (frame_pointer < bounds.low || frame_pointer >= bounds.high) return 0;
#if defined(__x86_64__)
  if (method == UnwindMethod::EhFrame) {
    walk_frame_rules(return_address, frame_pointer + kFrameRecordBytes, frame_pointer, sink,
                     bounds, nullptr);
    return sink.result();
  }
#endif
  walk_frame_pointers(frame_pointer, sink, bounds, nullptr);
  return sink.result();
}

}  // namespace

__attribute__((noinline)) int capture_stack(std::uintptr_t* frames, int max_depth,
                                            int skip_frames, UnwindMethod method) noexcept {
  if (frames == nullptr || max_depth <= 0) return 0;
  if (skip_frames < 0) skip_frames = 0;
  const int count = capture_here(reinterpret_cast<std::uintptr_t>(__builtin_return_address(0)),
                                 reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)),
                                 frames, max_depth, WalkStart{skip_frames, 0, 0}, method);
  // Keeps the calls above from becoming tail calls, which would pop this frame record
  // while the walk still reads it.
  __asm__ __volatile__("" : : : "memory");
  return count;
}

__attribute__((noinline)) int capture_stack_starting_at(std::uintptr_t first_return_address,
                                                        std::uintptr_t* frames, int max_depth,
                                                        int search_limit,
                                                        UnwindMethod method) noexcept {
  if (frames == nullptr || max_depth <= 0) return 0;
  if (first_return_address == 0) return -1;
  if (search_limit < 0) search_limit = 0;
  const int count = capture_here(reinterpret_cast<std::uintptr_t>(__builtin_return_address(0)),
                                 reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)),
                                 frames, max_depth, WalkStart{0, first_return_address, search_limit},
                                 method);
  __asm__ __volatile__("" : : : "memory");
  return count;
}

__attribute__((noinline)) int capture_stack_from_entry_frame(
    std::uintptr_t entry_frame, std::uintptr_t expected_return_address, std::uintptr_t* frames,
    int max_depth, std::uint64_t* hash, WalkRecords* records, UnwindMethod method,
    std::uintptr_t start_at, int search_limit) noexcept {
  if (frames == nullptr || max_depth <= 0) return 0;
  if (method == UnwindMethod::Libunwind) return -1;
  if (records != nullptr) {
    records->count = 0;
    records->generation = code_ranges_generation();
  }
  StackBounds bounds;
  if (!current_thread_stack_bounds(bounds)) return 0;
  // The entry frame is an active frame above ours: anything else is not a frame record.
  const auto own_frame = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  if (entry_frame % kWordBytes != 0 || entry_frame <= own_frame ||
      entry_frame > bounds.high - kFrameRecordBytes) {
    return -1;
  }
  const auto* record = reinterpret_cast<const std::uintptr_t*>(entry_frame);
  if (strip_pointer_authentication(record[1]) != expected_return_address) return -1;
  FrameSink sink(frames, max_depth, WalkStart{0, start_at, search_limit});
#if defined(__x86_64__)
  if (method == UnwindMethod::EhFrame) {
    // The saved frame pointer at entry_frame is remembered only if a rule uses it.
    remember_word(records, entry_frame + kWordBytes);
    walk_frame_rules(expected_return_address, entry_frame + kFrameRecordBytes, entry_frame, sink,
                     bounds, records);
  } else {
    walk_frame_pointers(entry_frame, sink, bounds, records);
  }
#else
  walk_frame_pointers(entry_frame, sink, bounds, records);
#endif
  const int count = sink.result();
  if (count < 0) return -1;
  if (hash != nullptr) {
    StackHash stack_hash;
    for (int index = 0; index < count; ++index) stack_hash.add(index, frames[index]);
    *hash = stack_hash.finish(count);
  }
  // A table rebuilt during the walk makes its records stale for the memo.
  if (records != nullptr && records->generation != code_ranges_generation()) records->count = -1;
  return count;
}

}  // namespace osp::trace
