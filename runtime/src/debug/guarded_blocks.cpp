// Guarded blocks of the debug layer (see guarded_blocks.hpp).
#include "debug/guarded_blocks.hpp"

#include <atomic>
#include <cstring>
#include <new>

#include "debug/fault_reports.hpp"
#include "debug/options.hpp"
#include "debug/report_writer.hpp"
#include "guarded/slot_space.hpp"
#include "os/os_memory.hpp"
#include "os/platform.hpp"

namespace osp::debug::guarded_blocks {

static_assert(sizeof(DetachedHeader) <= guarded::kOwnerBytes,
              "a detached header must fit a slot's metadata");

namespace detail {
int g_mode = kUnset;
OSP_THREAD_LOCAL(int) t_sample_countdown;
}  // namespace detail

namespace {

constexpr std::size_t kBytesPerMebibyte = std::size_t{1} << 20;
constexpr std::size_t kNaturalAlignmentLimit = 16;
// Programs allocate structures with a flexible array member at sizes that are not a
// multiple of the structure's alignment (CPython's bytes objects: 33 + n bytes), so the
// C rule alone would misalign them; 8 bytes keeps those working.
constexpr std::size_t kNaturalAlignmentFloor = 8;

std::atomic<std::size_t> g_guarded{0};
std::atomic<std::size_t> g_unguarded{0};
os::SpinLock g_configure_lock;

OSP_THREAD_LOCAL(std::uint64_t) t_random_state;

// xorshift64*: the sampling draw, per thread, seeded from the thread's own addresses.
std::uint64_t next_random() {
  std::uint64_t state = t_random_state;
  if (state == 0) {
    int local = 0;
    state = (reinterpret_cast<std::uintptr_t>(&local) ^ os::current_thread_id() * 0x9e3779b97f4a7c15ULL) | 1;
  }
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  t_random_state = state;
  return state * 0x2545f4914f6cdd1dULL;
}

// The next gap between sampled allocations: uniform in [1, 2 * rate - 1], mean `rate`.
int next_countdown() {
  const auto rate = static_cast<std::uint64_t>(options().guard_sample_rate);
  if (rate <= 1) return 1;
  return static_cast<int>(1 + next_random() % (2 * rate - 1));
}

int mode_from_options() {
  const char* name = options().guard_pages;
  if (std::strcmp(name, "all") == 0) return detail::kAll;
  if (std::strcmp(name, "sampled") == 0) return detail::kSampled;
  return detail::kOff;
}

// The C rule: an object of `bytes` needs no more alignment than the largest power of two
// dividing its size (at most malloc's 16, at least kNaturalAlignmentFloor), so a block
// whose size is a multiple of 8 ends exactly at the page end.
std::size_t natural_alignment(std::size_t bytes) {
  if (options().guard_exact) return 1;
  if (bytes == 0) return kNaturalAlignmentLimit;
  const std::size_t lowest_bit = bytes & (~bytes + 1);
  if (lowest_bit < kNaturalAlignmentFloor) return kNaturalAlignmentFloor;
  return lowest_bit < kNaturalAlignmentLimit ? lowest_bit : kNaturalAlignmentLimit;
}

// The fault handler goes in before the program's constructors, so a handler the program
// installs later is the one that sees faults first (and may pass them on to osp).
__attribute__((constructor)) void start_fault_reports() {
  if (options().handle_segv || mode_from_options() != detail::kOff) install_fault_reports();
}

// At exit, `all` mode says how many blocks the budgets left unguarded (they are also in
// the snapshot's counters.guard_pages).
__attribute__((destructor)) void report_unguarded_blocks() {
  const std::size_t unguarded = g_unguarded.load(std::memory_order_relaxed);
  if (unguarded == 0) return;
  const guarded::SlotCounters slots = guarded::counters();
  ReportWriter(2).process_prefix().text("osp: guard_pages=all: ").decimal(unguarded)
      .text(" blocks got canaries only, no guarded slot (")
      .decimal(g_guarded.load(std::memory_order_relaxed)).text(" guarded, budgets: ")
      .decimal(slots.max_live_slots).text(" live slots, ")
      .decimal(slots.reserved_bytes / kBytesPerMebibyte).text(" MiB of address space)\n");
}

}  // namespace

bool detail::configure_and_decide() noexcept {
  g_configure_lock.lock();
  if (__atomic_load_n(&g_mode, __ATOMIC_ACQUIRE) == kUnset) {
    int mode = mode_from_options();
    if (mode != kOff && !fault_reports_available()) {
      ReportWriter(2).text("osp: warning: guard_pages needs fault reports, which this platform "
                           "does not have yet; guarded slots are off\n");
      mode = kOff;
    }
    if (mode != kOff) {
      const Options& current = options();
      const guarded::SlotLimits limits{
          static_cast<std::size_t>(current.guard_address_space_mb) * kBytesPerMebibyte,
          static_cast<std::size_t>(current.guard_max_live)};
      if (!guarded::configure(limits)) {
        ReportWriter(2).text("osp: warning: cannot reserve address space for guard_pages; "
                             "guarded slots are off\n");
        mode = kOff;
      }
    }
    __atomic_store_n(&g_mode, mode, __ATOMIC_RELEASE);
  }
  g_configure_lock.unlock();
  const int mode = __atomic_load_n(&g_mode, __ATOMIC_ACQUIRE);
  if (mode == kAll) return true;
  if (mode == kSampled) return --t_sample_countdown <= 0 && sample_taken();
  return false;
}

bool detail::sample_taken() noexcept {
  // A thread's first draw only starts its countdown, so short threads are not all sampled.
  const bool first_draw = t_random_state == 0;
  t_sample_countdown = next_countdown();
  return !first_draw || options().guard_sample_rate <= 1;
}

BlockHeader* place(std::size_t bytes, std::size_t alignment, bool explicit_alignment) noexcept {
  const Options& current = options();
  const bool all = __atomic_load_n(&detail::g_mode, __ATOMIC_RELAXED) == detail::kAll;
  if (bytes > static_cast<std::size_t>(current.guard_max_bytes)) return nullptr;
  const std::size_t slot_alignment = explicit_alignment || alignment > kNaturalAlignmentLimit
                                         ? alignment
                                         : natural_alignment(bytes);
  const guarded::Side side =
      current.guard_underflow ? guarded::Side::Underflow : guarded::Side::Overflow;
  guarded::Placement placement;
  if (!guarded::acquire(bytes, slot_alignment, side, placement)) {
    if (all) g_unguarded.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  g_guarded.fetch_add(1, std::memory_order_relaxed);
  auto* detached = new (placement.owner) DetachedHeader{};
  detached->user = placement.user;
  const char* open_end = placement.open_start + placement.open_bytes;
  detached->tail_canary_bytes = static_cast<std::uint32_t>(open_end - (placement.user + bytes));
  detached->slot_side = static_cast<std::uint32_t>(side);
  BlockHeader* header = &detached->header;
  header->flags = kDetachedHeader;
  header->alignment_offset = static_cast<std::uint32_t>(placement.user - placement.open_start);
  return header;
}

void close_slot(BlockHeader* header) noexcept { guarded::release(header); }

BlockHeader* find_header(const void* user) noexcept {
  auto* header = static_cast<BlockHeader*>(guarded::owner_of_user(user));
  if (header == nullptr || !header->detached() || header->magic != kLiveMagic) return nullptr;
  return header;
}

bool in_slots(const void* address) noexcept {
  return guarded::in_reservation(reinterpret_cast<std::uintptr_t>(address));
}

GuardCounters counters() noexcept {
  const int mode = __atomic_load_n(&detail::g_mode, __ATOMIC_ACQUIRE);
  GuardCounters result{mode == detail::kAll ? "all" : mode == detail::kSampled ? "sampled" : "off",
                       g_guarded.load(std::memory_order_relaxed),
                       g_unguarded.load(std::memory_order_relaxed), 0, 0, 0, 0};
  if (mode == detail::kAll || mode == detail::kSampled) {
    const guarded::SlotCounters slots = guarded::counters();
    result.live_slots = slots.live_slots;
    result.reused_slots = slots.reused;
    result.address_space_bytes = slots.reserved_bytes;
    result.max_live_slots = slots.max_live_slots;
  }
  return result;
}

}  // namespace osp::debug::guarded_blocks
