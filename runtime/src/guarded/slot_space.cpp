// Guarded slots (see slot_space.hpp). A slot is named by its span and its index in the
// span; each span gets its class and its array of slot records (mapped from the OS, never
// the heap) when it is first used, before the count of assigned spans is published, so a
// lock-free lookup never sees a span without its records.
#include "guarded/slot_space.hpp"

#include <atomic>
#include <cstring>

#include "os/os_memory.hpp"

namespace osp::guarded {
namespace {

constexpr std::size_t kMaxSpans = 16384;
constexpr std::size_t kMaxSlotsPerSpan = kSpanPages / 2;
constexpr std::uint32_t kNoSlot = 0xffffffff;

enum class SlotState : std::uint8_t { Unused, Live, Closed };

struct alignas(16) SlotRecord {
  unsigned char owner[kOwnerBytes];  // first: the owner pointer is the record's address
  char* user;
  std::size_t bytes;
  char* open_start;
  std::size_t open_bytes;
  std::uint32_t id;           // span and index, set when first acquired
  std::uint32_t next_closed;  // the closed-slot queue of its class
  SlotState state;
  Side side;
  bool tainted;  // pages opened after a fault: close the whole slot before reuse
};

struct ClassState {
  std::size_t current_span = kMaxSpans;  // span handing out fresh slots
  std::size_t next_index = 0;
  std::uint32_t closed_head = kNoSlot;  // oldest closed slot
  std::uint32_t closed_tail = kNoSlot;
};

struct Space {
  os::SpinLock lock;
  char* base = nullptr;
  std::size_t page = 0;
  std::size_t span_bytes = 0;
  std::size_t span_count = 0;
  std::atomic<std::size_t> spans_assigned{0};
  std::uint8_t span_class[kMaxSpans];
  SlotRecord* span_records[kMaxSpans];
  ClassState classes[kSlotClassCount];
  std::size_t live = 0;
  std::size_t max_live = 0;
  std::size_t acquired = 0;
  std::size_t refused = 0;
  std::size_t reused = 0;
};

constinit Space g_space{};

std::size_t data_pages_of(int slot_class) { return std::size_t{1} << slot_class; }
std::size_t stride_of(int slot_class) { return (data_pages_of(slot_class) + 1) * g_space.page; }
std::size_t slots_per_span(int slot_class) { return kSpanPages / (data_pages_of(slot_class) + 1); }

int class_for_pages(std::size_t pages) {
  int slot_class = 0;
  while (data_pages_of(slot_class) < pages) ++slot_class;
  return slot_class;
}

std::uint32_t slot_id(std::size_t span, std::size_t index) {
  return static_cast<std::uint32_t>(span * kMaxSlotsPerSpan + index);
}

SlotRecord& record_of(std::uint32_t id) {
  return g_space.span_records[id / kMaxSlotsPerSpan][id % kMaxSlotsPerSpan];
}

char* data_start_of(std::uint32_t id) {
  const std::size_t span = id / kMaxSlotsPerSpan;
  const std::size_t index = id % kMaxSlotsPerSpan;
  const int slot_class = g_space.span_class[span];
  return g_space.base + span * g_space.span_bytes + index * stride_of(slot_class) + g_space.page;
}

// Under the lock: a fresh slot of the class, from its current span or a new one.
std::uint32_t take_fresh_slot(int slot_class) {
  ClassState& state = g_space.classes[slot_class];
  if (state.current_span < kMaxSpans && state.next_index < slots_per_span(slot_class)) {
    return slot_id(state.current_span, state.next_index++);
  }
  const std::size_t span = g_space.spans_assigned.load(std::memory_order_relaxed);
  if (span >= g_space.span_count) return kNoSlot;
  const std::size_t record_bytes = slots_per_span(slot_class) * sizeof(SlotRecord);
  auto* records = static_cast<SlotRecord*>(os::map(record_bytes, g_space.page, false));
  if (records == nullptr) return kNoSlot;
  g_space.span_class[span] = static_cast<std::uint8_t>(slot_class);
  g_space.span_records[span] = records;
  g_space.spans_assigned.store(span + 1, std::memory_order_release);
  state.current_span = span;
  state.next_index = 1;
  return slot_id(span, 0);
}

// Under the lock: the oldest closed slot of the class.
std::uint32_t take_closed_slot(int slot_class) {
  ClassState& state = g_space.classes[slot_class];
  const std::uint32_t id = state.closed_head;
  if (id == kNoSlot) return kNoSlot;
  state.closed_head = record_of(id).next_closed;
  if (state.closed_head == kNoSlot) state.closed_tail = kNoSlot;
  return id;
}

// Under the lock.
void queue_closed_slot(std::uint32_t id, int slot_class) {
  ClassState& state = g_space.classes[slot_class];
  SlotRecord& record = record_of(id);
  record.state = SlotState::Closed;
  record.next_closed = kNoSlot;
  if (state.closed_tail == kNoSlot) {
    state.closed_head = id;
  } else {
    record_of(state.closed_tail).next_closed = id;
  }
  state.closed_tail = id;
}

// The slot whose stride contains `address` (its leading guard page, data pages, or for
// the last slot of a span the span's unused tail); kNoSlot outside assigned spans.
// `within` receives the offset from the slot's leading guard page.
std::uint32_t slot_at(std::uintptr_t address, std::size_t& within) {
  if (!in_reservation(address)) return kNoSlot;
  const std::size_t offset = address - reinterpret_cast<std::uintptr_t>(g_space.base);
  const std::size_t span = offset / g_space.span_bytes;
  if (span >= g_space.spans_assigned.load(std::memory_order_acquire)) return kNoSlot;
  const int slot_class = g_space.span_class[span];
  const std::size_t in_span = offset % g_space.span_bytes;
  std::size_t index = in_span / stride_of(slot_class);
  const std::size_t count = slots_per_span(slot_class);
  if (index >= count) index = count - 1;
  within = in_span - index * stride_of(slot_class);
  return slot_id(span, index);
}

SlotLookup describe(const SlotRecord& record) {
  SlotLookup result;
  result.owner = const_cast<unsigned char*>(record.owner);
  result.live = record.state == SlotState::Live;
  result.user = record.user;
  result.bytes = record.bytes;
  result.side = record.side;
  return result;
}

}  // namespace

bool configure(const SlotLimits& limits) noexcept {
  if (g_space.base != nullptr) return true;
  g_space.page = os::page_size();
  g_space.span_bytes = kSpanPages * g_space.page;
  std::size_t spans = limits.address_space_bytes / g_space.span_bytes;
  if (spans == 0) spans = 1;
  if (spans > kMaxSpans) spans = kMaxSpans;
  auto* base = static_cast<char*>(os::reserve_inaccessible(spans * g_space.span_bytes));
  if (base == nullptr) return false;
  std::size_t max_live = limits.max_live_slots;
  if (max_live == 0) {
    // Each open slot splits the reservation into two more mappings; leave a quarter of the
    // kernel's limit to the program.
    const std::size_t mappings = os::max_memory_mappings();
    max_live = mappings == 0 ? std::size_t{1} << 20 : mappings * 3 / 8;
  }
  g_space.max_live = max_live;
  g_space.span_count = spans;
  g_space.base = base;
  return true;
}

std::size_t max_block_bytes() noexcept {
  return data_pages_of(kSlotClassCount - 1) * os::page_size();
}

bool acquire(std::size_t bytes, std::size_t alignment, Side side, Placement& out) noexcept {
  const std::size_t page = g_space.page;
  if (g_space.base == nullptr || alignment == 0 || alignment > page || bytes > max_block_bytes()) {
    return false;
  }
  const std::size_t effective = bytes == 0 ? 1 : bytes;
  // Overflow side: the user bytes end at the data end, rounded down to the alignment.
  const std::size_t span_from_end = (effective + alignment - 1) & ~(alignment - 1);
  const std::size_t needed = side == Side::Overflow ? span_from_end : effective;
  const std::size_t pages = (needed + page - 1) / page;
  if (pages > data_pages_of(kSlotClassCount - 1)) return false;
  const int slot_class = class_for_pages(pages);

  g_space.lock.lock();
  std::uint32_t id = kNoSlot;
  if (g_space.live < g_space.max_live) {
    id = take_fresh_slot(slot_class);
    if (id == kNoSlot) {
      id = take_closed_slot(slot_class);
      if (id != kNoSlot) ++g_space.reused;
    }
  }
  if (id == kNoSlot) {
    ++g_space.refused;
    g_space.lock.unlock();
    return false;
  }
  SlotRecord& record = record_of(id);
  record.id = id;
  record.state = SlotState::Live;
  ++g_space.live;
  ++g_space.acquired;
  g_space.lock.unlock();

  char* data_start = data_start_of(id);
  char* data_end = data_start + data_pages_of(slot_class) * page;
  if (record.tainted) {
    os::close_pages(data_start - page, stride_of(slot_class));
    record.tainted = false;
  }
  char* user;
  char* open_start;
  std::size_t open_bytes;
  if (side == Side::Overflow) {
    user = data_end - span_from_end;
    open_start = data_end - pages * page;
    open_bytes = pages * page;
  } else {
    user = data_start;
    open_start = data_start;
    open_bytes = pages * page;
  }
  if (!os::open_pages(open_start, open_bytes)) {
    g_space.lock.lock();
    queue_closed_slot(id, slot_class);
    --g_space.live;
    ++g_space.refused;
    g_space.lock.unlock();
    return false;
  }
  record.user = user;
  record.bytes = bytes;
  record.side = side;
  record.open_start = open_start;
  record.open_bytes = open_bytes;
  out = {record.owner, user, open_start, open_bytes};
  return true;
}

void release(void* owner) noexcept {
  auto* record = reinterpret_cast<SlotRecord*>(owner);
  const std::uint32_t id = record->id;
  if (!os::close_pages(record->open_start, record->open_bytes)) record->tainted = true;
  g_space.lock.lock();
  queue_closed_slot(id, g_space.span_class[id / kMaxSlotsPerSpan]);
  --g_space.live;
  g_space.lock.unlock();
}

bool in_reservation(std::uintptr_t address) noexcept {
  const auto base = reinterpret_cast<std::uintptr_t>(g_space.base);
  return base != 0 && address >= base && address - base < g_space.span_count * g_space.span_bytes;
}

SlotLookup lookup(std::uintptr_t address) noexcept {
  std::size_t within = 0;
  const std::uint32_t id = slot_at(address, within);
  if (id == kNoSlot) return {};
  const SlotRecord& record = record_of(id);
  // The leading guard page of a slot is also the page after the previous slot's data:
  // an underflow of this slot's block or an overflow of the previous one's.
  const std::size_t index = id % kMaxSlotsPerSpan;
  if (within < g_space.page && index > 0) {
    const SlotRecord& previous = record_of(id - 1);
    const bool this_underflows = record.state != SlotState::Unused && record.side == Side::Underflow;
    const bool previous_overflows =
        previous.state != SlotState::Unused && previous.side == Side::Overflow;
    if (previous_overflows && !this_underflows) return describe(previous);
    if (previous_overflows && this_underflows) {
      // Both could be meant: the nearer block wins.
      const auto previous_end = reinterpret_cast<std::uintptr_t>(previous.user) + previous.bytes;
      const auto this_start = reinterpret_cast<std::uintptr_t>(record.user);
      return address - previous_end <= this_start - address ? describe(previous) : describe(record);
    }
  }
  if (record.state == SlotState::Unused) return {};
  return describe(record);
}

void* owner_of_user(const void* user) noexcept {
  std::size_t within = 0;
  const std::uint32_t id = slot_at(reinterpret_cast<std::uintptr_t>(user), within);
  if (id == kNoSlot) return nullptr;
  SlotRecord& record = record_of(id);
  if (record.state == SlotState::Unused || record.user != user) return nullptr;
  return record.owner;
}

bool open_page_at(std::uintptr_t address) noexcept {
  std::size_t within = 0;
  const std::uint32_t id = slot_at(address, within);
  if (id == kNoSlot) return false;
  record_of(id).tainted = true;
  const std::uintptr_t page_start = address & ~(static_cast<std::uintptr_t>(g_space.page) - 1);
  return os::open_pages(reinterpret_cast<void*>(page_start), g_space.page);
}

SlotCounters counters() noexcept {
  g_space.lock.lock();
  SlotCounters result{g_space.live, g_space.acquired, g_space.refused, g_space.reused,
                      g_space.span_count * g_space.span_bytes, g_space.max_live};
  g_space.lock.unlock();
  return result;
}

void lock() noexcept { g_space.lock.lock(); }
void unlock() noexcept { g_space.lock.unlock(); }

}  // namespace osp::guarded
