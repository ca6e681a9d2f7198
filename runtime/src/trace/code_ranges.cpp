// The table of executable ranges (see code_ranges.hpp).
//
// Layout: a Region from the OS layer holds the published ranges as relaxed atomics (read
// under the sequence counter) and a plain staging array the rebuilding thread fills and
// sorts before it copies the result in. Regions are never unmapped: a reader that loaded
// an old region pointer still reads mapped memory, and the capacity it clamps against is
// that region's own. The rebuild is owned by one process id at a time, so a child forked
// in the middle of a rebuild takes it over instead of waiting for a thread it does not
// have.
//
// A forked child never calls dl_iterate_phdr: glibc does not reset the loader's lock in
// the child, so a thread of the parent that held it (loading or unloading a module) at
// fork time would leave it held forever. The child keeps the table it inherited and adds
// the module of an unknown address through _dl_find_object, which takes no lock, reading
// that module's program headers from its first page.
#include "trace/code_ranges.hpp"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>

#include "os/cpu.hpp"
#include "os/os_memory.hpp"

namespace osp::trace {

std::atomic<std::uint64_t> detail::code_ranges_generation{0};

namespace {

constexpr int kFieldsPerRange = 5;  // the CodeRange fields, in order
// Room for modules loaded between the counting pass and the filling pass of a rebuild.
constexpr int kSpareRanges = 64;
// A reader that finds a rebuild in progress spins this often, then yields the processor
// to the rebuilding thread until the rebuild ends or the limit has passed. A rebuild
// takes tens of microseconds, but a loaded machine may preempt the rebuilding thread for
// a time slice or more: a limit counted in yields (about 4,000, a few milliseconds) ran
// out under a test suite running two at a time, and the waiting lookup then called a
// new module's code junk.
constexpr int kSpinsBeforeYielding = 64;
constexpr std::uint64_t kRebuildWaitLimitNanoseconds = 200'000'000;

struct Region {
  int capacity;
  std::atomic<std::uintptr_t>* published;  // capacity × kFieldsPerRange
  CodeRange* staging;                      // capacity, the rebuilding thread's only
};

std::atomic<Region*> g_region{nullptr};
std::atomic<int> g_count{0};
// Odd while a rebuild writes the published ranges.
std::atomic<std::uint64_t> g_sequence{0};
// The loader's counters the current table was built from.
std::atomic<unsigned long long> g_loads{0};
std::atomic<unsigned long long> g_unloads{0};
// process id + 1 of the process whose thread is rebuilding; 0 when nobody is.
std::atomic<std::uint64_t> g_rebuilder{0};
// That thread's id: a signal handler running on it must not wait for itself.
std::atomic<std::uint64_t> g_rebuilding_thread{0};

enum class Lookup { Found, Missing, Busy };

// One wait for a rebuild in progress, a step at a time.
class RebuildWait {
 public:
  // Waits one step; false when waiting longer cannot help: this thread is the one
  // rebuilding (a signal handler on it), the rebuild belongs to the process this one was
  // forked from (it never ends here), or the limit has passed.
  bool step() noexcept {
    if (spins_ < kSpinsBeforeYielding) {
      ++spins_;
      cpu::pause();
      return true;
    }
    if (g_rebuilding_thread.load(std::memory_order_relaxed) == os::current_thread_id()) return false;
    const std::uint64_t rebuilder = g_rebuilder.load(std::memory_order_relaxed);
    if (rebuilder != 0 && rebuilder != os::process_id() + 1) return false;
    const std::uint64_t now = os::monotonic_nanoseconds();
    if (deadline_ == 0) {
      deadline_ = now + kRebuildWaitLimitNanoseconds;
    } else if (now >= deadline_) {
      return false;
    }
    os::yield_thread();
    return true;
  }

 private:
  int spins_ = 0;
  std::uint64_t deadline_ = 0;
};

Lookup lookup(std::uintptr_t address, CodeRange& range) noexcept {
  RebuildWait wait;
  for (;;) {
    const std::uint64_t sequence = g_sequence.load(std::memory_order_acquire);
    if ((sequence & 1) != 0) {
      if (!wait.step()) break;
      continue;
    }
    const Region* region = g_region.load(std::memory_order_acquire);
    if (region == nullptr) return Lookup::Missing;  // no table yet: find_code_range waits
    const int count = std::min(g_count.load(std::memory_order_acquire), region->capacity);
    const std::atomic<std::uintptr_t>* fields = region->published;
    // The last range starting at or below the address.
    int low = 0;
    int high = count;
    while (low < high) {
      const int middle = (low + high) / 2;
      if (fields[middle * kFieldsPerRange].load(std::memory_order_acquire) <= address) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    bool found = false;
    if (low > 0) {
      const std::atomic<std::uintptr_t>* entry = fields + (low - 1) * kFieldsPerRange;
      range.start = entry[0].load(std::memory_order_acquire);
      range.end = entry[1].load(std::memory_order_acquire);
      range.eh_frame_hdr = entry[2].load(std::memory_order_acquire);
      range.unwind_data_start = entry[3].load(std::memory_order_acquire);
      range.unwind_data_end = entry[4].load(std::memory_order_acquire);
      found = address >= range.start && address < range.end;
    }
    // The loads above are acquire loads, so this one cannot move before them: an
    // unchanged sequence means no rebuild wrote while they read.
    if (g_sequence.load(std::memory_order_relaxed) == sequence) {
      return found ? Lookup::Found : Lookup::Missing;
    }
    if (!wait.step()) break;
  }
  return Lookup::Busy;
}

bool take_rebuild() noexcept {
  const std::uint64_t self = os::process_id() + 1;
  std::uint64_t holder = 0;
  if (!g_rebuilder.compare_exchange_strong(holder, self, std::memory_order_acquire)) {
    if (holder == self) return false;  // another thread of this process is rebuilding
    // The rebuilding thread belonged to the process this one was forked from.
    if (!g_rebuilder.compare_exchange_strong(holder, self, std::memory_order_acquire)) return false;
    const std::uint64_t sequence = g_sequence.load(std::memory_order_relaxed);
    if ((sequence & 1) != 0) g_sequence.store(sequence + 1, std::memory_order_release);
  }
  g_rebuilding_thread.store(os::current_thread_id(), std::memory_order_relaxed);
  return true;
}

void give_back_rebuild() noexcept {
  g_rebuilding_thread.store(0, std::memory_order_relaxed);
  g_rebuilder.store(0, std::memory_order_release);
}

int count_ranges(dl_phdr_info* info, std::size_t, void* data) {
  int& ranges = *static_cast<int*>(data);
  for (int index = 0; index < info->dlpi_phnum; ++index) {
    const ElfW(Phdr)& header = info->dlpi_phdr[index];
    if (header.p_type == PT_LOAD && (header.p_flags & PF_X) != 0) ++ranges;
  }
  return 0;
}

struct Filling {
  CodeRange* ranges;
  int capacity;
  int count;
  bool overflowed;
  bool counters_known;
  unsigned long long loads;
  unsigned long long unloads;
};

int fill_ranges(dl_phdr_info* info, std::size_t size, void* data) {
  Filling& filling = *static_cast<Filling*>(data);
  if (!filling.counters_known &&
      size >= offsetof(dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) {
    filling.counters_known = true;
    filling.loads = info->dlpi_adds;
    filling.unloads = info->dlpi_subs;
  }
  CodeRange module{};
  for (int index = 0; index < info->dlpi_phnum; ++index) {
    const ElfW(Phdr)& header = info->dlpi_phdr[index];
    if (header.p_type == PT_GNU_EH_FRAME) module.eh_frame_hdr = info->dlpi_addr + header.p_vaddr;
  }
  for (int index = 0; index < info->dlpi_phnum && module.eh_frame_hdr != 0; ++index) {
    const ElfW(Phdr)& header = info->dlpi_phdr[index];
    const std::uintptr_t start = info->dlpi_addr + header.p_vaddr;
    if (header.p_type == PT_LOAD && (header.p_flags & PF_R) != 0 &&
        module.eh_frame_hdr >= start && module.eh_frame_hdr < start + header.p_filesz) {
      module.unwind_data_start = start;
      module.unwind_data_end = start + header.p_filesz;
    }
  }
  if (module.unwind_data_start == 0) module.eh_frame_hdr = 0;
  for (int index = 0; index < info->dlpi_phnum; ++index) {
    const ElfW(Phdr)& header = info->dlpi_phdr[index];
    if (header.p_type != PT_LOAD || (header.p_flags & PF_X) == 0) continue;
    if (filling.count == filling.capacity) {
      filling.overflowed = true;
      return 1;
    }
    CodeRange& range = filling.ranges[filling.count++];
    range = module;
    range.start = info->dlpi_addr + header.p_vaddr;
    range.end = range.start + header.p_memsz;
  }
  return 0;
}

Region* region_for(int ranges) noexcept {
  Region* region = g_region.load(std::memory_order_relaxed);
  if (region != nullptr && region->capacity >= ranges) return region;
  int capacity = region == nullptr ? 256 : region->capacity;
  while (capacity < ranges) capacity *= 2;
  const std::size_t published_bytes =
      sizeof(std::atomic<std::uintptr_t>) * kFieldsPerRange * static_cast<std::size_t>(capacity);
  const std::size_t bytes = sizeof(Region) + published_bytes +
                            sizeof(CodeRange) * static_cast<std::size_t>(capacity);
  const std::size_t page = os::page_size();
  void* memory = os::map((bytes + page - 1) / page * page, page, false);
  if (memory == nullptr) return region;
  auto* grown = static_cast<Region*>(memory);
  grown->capacity = capacity;
  // Zeroed memory is a valid atomic<uintptr_t> holding 0.
  grown->published = reinterpret_cast<std::atomic<std::uintptr_t>*>(grown + 1);
  grown->staging = reinterpret_cast<CodeRange*>(grown->published +
                                                kFieldsPerRange * static_cast<std::size_t>(capacity));
  return grown;
}

void publish(Region* region, const Filling& filling) noexcept {
  const std::uint64_t sequence = g_sequence.load(std::memory_order_relaxed);
  g_sequence.store(sequence + 1, std::memory_order_relaxed);
  // Release stores: a reader that sees any of them sees the odd sequence before it.
  for (int index = 0; index < filling.count; ++index) {
    const CodeRange& range = filling.ranges[index];
    std::atomic<std::uintptr_t>* entry = region->published + index * kFieldsPerRange;
    entry[0].store(range.start, std::memory_order_release);
    entry[1].store(range.end, std::memory_order_release);
    entry[2].store(range.eh_frame_hdr, std::memory_order_release);
    entry[3].store(range.unwind_data_start, std::memory_order_release);
    entry[4].store(range.unwind_data_end, std::memory_order_release);
  }
  g_count.store(filling.count, std::memory_order_release);
  g_region.store(region, std::memory_order_release);
  // An overflowed table is incomplete: unknown counters make the next check rebuild it.
  const bool complete = filling.counters_known && !filling.overflowed;
  g_loads.store(complete ? filling.loads : ~0ULL, std::memory_order_relaxed);
  g_unloads.store(complete ? filling.unloads : ~0ULL, std::memory_order_relaxed);
  detail::code_ranges_generation.fetch_add(1, std::memory_order_relaxed);
  g_sequence.store(sequence + 2, std::memory_order_release);
}

// The process this library was loaded in (set at load); any other is a forked child.
std::atomic<std::uint64_t> g_loading_process{0};

bool in_forked_child() noexcept {
  const std::uint64_t loading = g_loading_process.load(std::memory_order_relaxed);
  return loading != 0 && loading != os::process_id();
}

// Adds the module that holds `address`, found without the loader's lock (see the top of
// the file). False when the loader does not know the address or its headers are not in
// the module's first page.
bool add_module_holding(std::uintptr_t address) noexcept {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
  dl_find_object object;
  if (_dl_find_object(reinterpret_cast<void*>(address), &object) != 0) return false;
  const auto first_page = reinterpret_cast<std::uintptr_t>(object.dlfo_map_start);
  const auto* header = reinterpret_cast<const ElfW(Ehdr)*>(first_page);
  if (std::memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 ||
      header->e_phentsize != sizeof(ElfW(Phdr)) ||
      header->e_phoff + header->e_phnum * sizeof(ElfW(Phdr)) > os::page_size()) {
    return false;
  }
  dl_phdr_info module{};
  module.dlpi_addr = object.dlfo_link_map->l_addr;
  module.dlpi_phdr = reinterpret_cast<const ElfW(Phdr)*>(first_page + header->e_phoff);
  module.dlpi_phnum = header->e_phnum;
  if (!take_rebuild()) return false;
  const int existing = g_count.load(std::memory_order_relaxed);
  Region* current = g_region.load(std::memory_order_relaxed);
  Region* region = region_for(existing + module.dlpi_phnum + kSpareRanges);
  bool added = false;
  if (region != nullptr) {
    Filling filling{region->staging, region->capacity, 0, false, false, 0, 0};
    for (int index = 0; current != nullptr && index < existing; ++index) {
      const std::atomic<std::uintptr_t>* entry = current->published + index * kFieldsPerRange;
      filling.ranges[filling.count++] = {entry[0].load(std::memory_order_relaxed),
                                         entry[1].load(std::memory_order_relaxed),
                                         entry[2].load(std::memory_order_relaxed),
                                         entry[3].load(std::memory_order_relaxed),
                                         entry[4].load(std::memory_order_relaxed)};
    }
    // Without the counters fields: the table's counters become unknown.
    fill_ranges(&module, offsetof(dl_phdr_info, dlpi_adds), &filling);
    std::sort(filling.ranges, filling.ranges + filling.count,
              [](const CodeRange& a, const CodeRange& b) { return a.start < b.start; });
    publish(region, filling);
    added = true;
  }
  give_back_rebuild();
  return added;
#else
  (void)address;
  return false;
#endif
}

bool rebuild() noexcept {
  if (!take_rebuild()) return false;
  int ranges = 0;
  dl_iterate_phdr(count_ranges, &ranges);
  Region* region = region_for(ranges + kSpareRanges);
  bool rebuilt = false;
  if (region != nullptr) {
    Filling filling{region->staging, region->capacity, 0, false, false, 0, 0};
    dl_iterate_phdr(fill_ranges, &filling);
    std::sort(filling.ranges, filling.ranges + filling.count,
              [](const CodeRange& a, const CodeRange& b) { return a.start < b.start; });
    publish(region, filling);
    rebuilt = true;
  }
  give_back_rebuild();
  return rebuilt;
}

// Waits, for as long as a lookup waits for a rebuild that is writing, while another
// thread of this process rebuilds the table: the first table, or the module a lookup
// missed, is then in the one that thread publishes.
void wait_for_other_rebuild() noexcept {
  const std::uint64_t self = os::process_id() + 1;
  RebuildWait wait;
  while (g_rebuilder.load(std::memory_order_acquire) == self && wait.step()) {
  }
}

// The first table is built at load, while the process most likely has one thread. Left
// to the first capture, threads capturing their first stacks at once raced to build it,
// and a loser whose wait ran out first (a loaded machine, an emulator) found no code
// ranges and captured an empty stack.
__attribute__((constructor)) void at_load() {
  g_loading_process.store(os::process_id(), std::memory_order_relaxed);
  rebuild();
}

struct LoaderCounters {
  bool known;
  unsigned long long loads;
  unsigned long long unloads;
};

int read_counters(dl_phdr_info* info, std::size_t size, void* data) {
  auto& counters = *static_cast<LoaderCounters*>(data);
  if (size >= offsetof(dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) {
    counters = {true, info->dlpi_adds, info->dlpi_subs};
  }
  return 1;  // the counters are the same in every callback: one is enough
}

// True when the loader may know a module at `address` that the table does not have.
bool loader_knows(std::uintptr_t address) noexcept {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
  // Lock-free in the loader; lets a junk address skip the loader lock below.
  dl_find_object object;
  return _dl_find_object(reinterpret_cast<void*>(address), &object) == 0;
#else
  (void)address;
  return true;
#endif
}

}  // namespace

bool refresh_code_ranges_if_modules_changed() noexcept {
  if (in_forked_child()) return true;  // no loader lock here: see the top of the file
  LoaderCounters counters{false, 0, 0};
  dl_iterate_phdr(read_counters, &counters);
  if (counters.known && detail::code_ranges_generation.load(std::memory_order_acquire) != 0 &&
      counters.loads == g_loads.load(std::memory_order_relaxed) &&
      counters.unloads == g_unloads.load(std::memory_order_relaxed)) {
    return true;
  }
  return rebuild();
}

bool find_code_range(std::uintptr_t address, CodeRange& range) noexcept {
  const bool forked_child = in_forked_child();
  if (detail::code_ranges_generation.load(std::memory_order_acquire) == 0 && !forked_child &&
      !rebuild()) {
    wait_for_other_rebuild();
  }
  const Lookup first = lookup(address, range);
  if (first != Lookup::Missing) return first == Lookup::Found;
  if (!loader_knows(address)) return false;
  if (forked_child) {
    add_module_holding(address);
  } else if (!refresh_code_ranges_if_modules_changed()) {
    wait_for_other_rebuild();
  }
  return lookup(address, range) == Lookup::Found;
}

}  // namespace osp::trace
