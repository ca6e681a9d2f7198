// The error reports (see error_reports.hpp). Every report runs with the reentrancy guard
// held (symbolization may allocate; those calls take the internal path) and under one
// report lock so reports from different threads never interleave. A report raised while
// the same thread is already reporting is recorded but not printed.
// Lock order: a live-list shard lock may be held when the report lock is taken (the heap
// check reports from inside its walk), never the other way round.
#include "debug/error_reports.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "debug/error_log.hpp"
#include "debug/live_blocks.hpp"
#include "debug/options.hpp"
#include "debug/report_writer.hpp"
#include "debug/runtime_thread.hpp"
#include "debug/stack_origin.hpp"
#include "memory_pool.hpp"
#include "os/os_memory.hpp"
#include "trace/symbolizer.hpp"
#include "trace/thread_stack_bounds.hpp"

namespace osp::debug {
namespace {

os::SpinLock g_report_lock;
constinit thread_local bool t_reporting = false;

os::SpinLock g_log_lock;
int g_log_fd = -1;
std::uint64_t g_log_pid = 0;

// Holds the report lock for one report; inactive when this thread is already reporting.
class ReportScope {
 public:
  ReportScope() noexcept : active_(!t_reporting) {
    if (!active_) return;
    t_reporting = true;
    g_report_lock.lock();
  }
  ~ReportScope() {
    if (!active_) return;
    g_report_lock.unlock();
    t_reporting = false;
  }
  bool active() const noexcept { return active_; }

 private:
  ReentrancyGuard guard_;
  bool active_;
};

struct CurrentStack {
  std::uintptr_t frames[trace::kMaxStackDepth];
  int depth = 0;
};

void print_frames(ReportWriter& writer, int fd, const std::uintptr_t* frames, int depth) {
  if (depth == 0) {
    writer.text("    <no stack captured (stack_depth=0)>\n");
    return;
  }
  if (options().symbolize) {
    writer.flush();
    trace::print_stack(fd, frames, depth);
    return;
  }
  for (int index = 0; index < depth; ++index) {
    writer.text("    #").decimal(static_cast<std::uint64_t>(index)).text(" ").hex(frames[index]).text("\n");
  }
}

void print_stored_stack(ReportWriter& writer, int fd, trace::StackId id) {
  trace::StackView view = trace::StackDepot::instance().get(id);
  print_frames(writer, fd, view.frames, view.depth);
}

void print_allocation_section(ReportWriter& writer, int fd, BlockHeader* header) {
  writer.text("allocated by thread T").decimal(header->allocation_thread);
  if (header->origin_file != nullptr) {
    writer.text(" at ").text(header->origin_file).text(":").decimal(header->origin).text(" (")
        .text(allocation_function_name(header->allocation_kind())).text(")\n");
    return;
  }
  writer.text(" here (").text(allocation_function_name(header->allocation_kind())).text("):\n");
  print_stored_stack(writer, fd, header->allocation_stack());
}

void print_free_section(ReportWriter& writer, int fd, BlockHeader* header) {
  if (!header->freed()) return;
  writer.text("freed by thread T").decimal(header->free_thread).text(" here:\n");
  print_stored_stack(writer, fd, header->free_stack);
}

// "  block: 24 bytes at 0x..., tier Small (size class 3), allocation #5 (12 allocations ago)"
void print_block_details(ReportWriter& writer, BlockHeader* header) {
  void* pool_block = pool_block_of(header);
  os_memory::Tier tier = os_memory::pool::MemoryPool::tier_of(pool_block);
  writer.text("  block: ").decimal(header->requested_bytes).text(" bytes at ")
      .address(user_of(header)).text(", tier ").text(os_memory::tier_name(tier));
  int size_class = os_memory::pool::MemoryPool::size_class_of(pool_block);
  if (size_class >= 0) writer.text(" (size class ").decimal(static_cast<std::uint64_t>(size_class)).text(")");
  std::uint64_t now = live_blocks::current_sequence();
  writer.text(", allocation #").decimal(header->sequence).text(" (")
      .decimal(now >= header->sequence ? now - header->sequence : 0).text(" allocations ago)\n");
}

// "  <what>: 3 bytes changed in [+24, +26], expected fa: +24=41 +25=41 +26=41"
void print_damage(ReportWriter& writer, const char* what, const Damage& damage) {
  writer.text("  ").text(what).text(": ").decimal(damage.changed_bytes)
      .text(damage.changed_bytes == 1 ? " byte" : " bytes").text(" changed in [")
      .text(damage.first_offset >= 0 ? "+" : "").signed_decimal(damage.first_offset).text(", ")
      .text(damage.last_offset >= 0 ? "+" : "").signed_decimal(damage.last_offset)
      .text("] of the user pointer, expected ").hex_byte(damage.expected).text(", found:");
  for (int index = 0; index < damage.sample_count; ++index) {
    writer.text(" ").text(damage.sample_offsets[index] >= 0 ? "+" : "")
        .signed_decimal(damage.sample_offsets[index]).text("=").hex_byte(damage.sample_values[index]);
  }
  if (damage.changed_bytes > static_cast<std::size_t>(damage.sample_count)) writer.text(" ...");
  writer.text("\n");
}

// "SUMMARY: osp: <kind> <file>:<line> in <function>" naming the first program frame.
void print_summary(ReportWriter& writer, ErrorKind kind, const CurrentStack& stack) {
  writer.text("SUMMARY: osp: ").text(error_kind_name(kind));
  if (stack.depth > 0) {
    if (options().symbolize) {
      trace::SymbolizedFrame frame = trace::symbolize(stack.frames[0]);
      if (frame.file != nullptr && frame.file[0] != '\0') {
        writer.text(" ").text(frame.file).text(":").decimal(static_cast<std::uint64_t>(frame.line));
      } else if (frame.module != nullptr && frame.module[0] != '\0') {
        writer.text(" (").text(frame.module).text("+").hex(frame.module_offset).text(")");
      }
      if (frame.function != nullptr && frame.function[0] != '\0') writer.text(" in ").text(frame.function);
    } else {
      writer.text(" ").hex(stack.frames[0]);
    }
  }
  writer.text("\n");
}

struct ReportFacts {
  ErrorKind kind;
  std::uintptr_t address;
  BlockHeader* header;  // may be null
  bool fatal;
  bool show_free_stack = true;  // false when the current stack is that free
};

// Prints the opening line, returns the writer positioned for the body; the line (without
// the pid prefix) is kept for the error log.
void open_report(ReportWriter& writer, const ReportWriter& first_line) {
  writer.process_prefix().text(first_line.data(), first_line.size()).text("\n");
}

void close_report(ReportWriter& writer, int fd, const ReportFacts& facts,
                  const ReportWriter& first_line, const CurrentStack& stack) {
  if (facts.header != nullptr && !facts.header->internal()) {
    print_allocation_section(writer, fd, facts.header);
    if (facts.show_free_stack) print_free_section(writer, fd, facts.header);
  }
  writer.text("current stack:\n");
  print_frames(writer, fd, stack.frames, stack.depth);
  print_summary(writer, facts.kind, stack);
  writer.flush();

  ErrorRecord record{};
  record.kind = facts.kind;
  record.address = facts.address;
  record.thread = current_thread_ordinal();
  if (facts.header != nullptr) {
    record.block_address = reinterpret_cast<std::uintptr_t>(user_of(facts.header));
    record.block_bytes = facts.header->requested_bytes;
    record.allocation_stack = facts.header->allocation_stack();
    record.free_stack = facts.header->freed() ? facts.header->free_stack : trace::kNoStack;
  }
  record.current_stack = trace::StackDepot::instance().intern(stack.frames, stack.depth);
  std::size_t length = first_line.size();
  if (length >= ErrorRecord::kMessageBytes) length = ErrorRecord::kMessageBytes - 1;
  std::memcpy(record.message, first_line.data(), length);
  record.message[length] = '\0';
  record_error(record);

  if (facts.fatal && options().halt_on_error) {
    writer.process_prefix().text("ABORTING (halt_on_error=1)\n");
    writer.flush();
    std::abort();
  }
}

void capture_current(CurrentStack& stack, std::uintptr_t caller) {
  int depth = options().stack_depth;
  if (depth < 16) depth = 16;  // the current stack is cheap to take once per error
  stack.depth = capture_stack_from(caller, stack.frames, depth);
}

void start_line(ReportWriter& line, ErrorKind kind) {
  line.text("ERROR: osp: ").text(error_kind_name(kind));
}

void end_line(ReportWriter& line) { line.text(" thread T").decimal(current_thread_ordinal()); }

// Records an error raised while this thread was already reporting, without printing.
void record_nested(ErrorKind kind, std::uintptr_t address) {
  ErrorRecord record{};
  record.kind = kind;
  record.address = address;
  record.thread = current_thread_ordinal();
  std::strcpy(record.message, "raised while reporting another error");
  record_error(record);
}

// Says what a bad pointer is: part of a live block, a stack or a global address.
void describe_foreign_address(ReportWriter& writer, const void* address) {
  auto target = reinterpret_cast<std::uintptr_t>(address);
  if (BlockHeader* header = live_blocks::find_containing(address)) {
    auto user = reinterpret_cast<std::uintptr_t>(user_of(header));
    if (target >= user) {
      writer.text("  interior pointer: ").decimal(target - user)
          .text(" bytes inside the block of ").decimal(header->requested_bytes)
          .text(" bytes at ").hex(user).text("\n");
    } else {
      writer.text("  pointer into the header of the block of ").decimal(header->requested_bytes)
          .text(" bytes at ").hex(user).text(" (").decimal(user - target).text(" bytes before it)\n");
    }
    return;
  }
  trace::StackBounds bounds;
  if (trace::current_thread_stack_bounds(bounds) && target >= bounds.low && target < bounds.high) {
    writer.text("  the address is on the stack of thread T").decimal(current_thread_ordinal())
        .text("\n");
    return;
  }
  Dl_info info;
  if (dladdr(address, &info) != 0 && info.dli_fname != nullptr) {
    writer.text("  the address is a global or static object in ").text(info.dli_fname);
    if (info.dli_sname != nullptr) writer.text(" (near '").text(info.dli_sname).text("')");
    writer.text("\n");
    return;
  }
  writer.text("  the address was not allocated by osp (or its block has been reused)\n");
}

}  // namespace

int report_fd() noexcept {
  const char* log_path = options().log_path;
  if (log_path == nullptr || log_path[0] == '\0') return 2;
  g_log_lock.lock();
  std::uint64_t pid = os::process_id();
  if (g_log_fd < 0 || g_log_pid != pid) {
    char path[4096];
    ReportWriter name(-1);
    name.text(log_path).text(".").decimal(pid);
    std::size_t length = name.size() < sizeof path - 1 ? name.size() : sizeof path - 1;
    std::memcpy(path, name.data(), length);
    path[length] = '\0';
    int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      ReportWriter(2).text("osp: warning: cannot open log_path file '").text(path)
          .text("'; reporting to stderr\n");
    }
    g_log_fd = fd;
    g_log_pid = pid;
  }
  int fd = g_log_fd >= 0 ? g_log_fd : 2;
  g_log_lock.unlock();
  return fd;
}

void report_double_free(BlockHeader* header, api::AllocationKind freed_with,
                        std::uintptr_t caller) noexcept {
  auto address = reinterpret_cast<std::uintptr_t>(user_of(header));
  ReportScope scope;
  if (!scope.active()) return record_nested(ErrorKind::DoubleFree, address);
  CurrentStack stack;
  capture_current(stack, caller);
  ReportWriter line(-1);
  start_line(line, ErrorKind::DoubleFree);
  line.text(" on address ").hex(address).text(" (block of ").decimal(header->requested_bytes)
      .text(" bytes)");
  end_line(line);
  int fd = report_fd();
  ReportWriter writer(fd);
  open_report(writer, line);
  writer.text("  ").text(deallocation_function_name(freed_with))
      .text(" was called on a block that was already freed");
  if (header->in_tls != 0) writer.text(" (it has left the quarantine and gone back to the pool)");
  writer.text("\n");
  print_block_details(writer, header);
  close_report(writer, fd, {ErrorKind::DoubleFree, address, header, true}, line, stack);
}

void report_invalid_free(const void* address, const char* function,
                         std::uintptr_t caller) noexcept {
  auto raw = reinterpret_cast<std::uintptr_t>(address);
  // Described before the report lock is taken: the description walks the live list, and
  // a heap check holds a shard lock while it waits for the report lock.
  ReentrancyGuard guard;
  ReportWriter description(-1);
  if (!t_reporting) describe_foreign_address(description, address);
  ReportScope scope;
  if (!scope.active()) return record_nested(ErrorKind::InvalidFree, raw);
  CurrentStack stack;
  capture_current(stack, caller);
  ReportWriter line(-1);
  start_line(line, ErrorKind::InvalidFree);
  line.text(": attempting ").text(function).text(" on address ").hex(raw)
      .text(" which was not allocated by osp");
  end_line(line);
  int fd = report_fd();
  ReportWriter writer(fd);
  open_report(writer, line);
  writer.text(description.data(), description.size());
  close_report(writer, fd, {ErrorKind::InvalidFree, raw, nullptr, true}, line, stack);
}

void report_guard_damage(BlockHeader* header, const Damage& damage, bool front_guard,
                         const char* when, std::uintptr_t caller) noexcept {
  ErrorKind kind = front_guard ? ErrorKind::HeapBufferUnderflow : ErrorKind::HeapBufferOverflow;
  auto user = reinterpret_cast<std::uintptr_t>(user_of(header));
  std::uintptr_t address = user + static_cast<std::uintptr_t>(damage.first_offset);
  ReportScope scope;
  if (!scope.active()) return record_nested(kind, address);
  CurrentStack stack;
  capture_current(stack, caller);
  ReportWriter line(-1);
  start_line(line, kind);
  line.text(" on address ").hex(address).text(" (block of ").decimal(header->requested_bytes)
      .text(" bytes at ").hex(user).text(", ");
  if (front_guard) {
    line.decimal(static_cast<std::uint64_t>(-damage.first_offset)).text(" bytes before its start)");
  } else {
    line.decimal(static_cast<std::uint64_t>(damage.last_offset) + 1 - header->requested_bytes)
        .text(" bytes past its end)");
  }
  end_line(line);
  int fd = report_fd();
  ReportWriter writer(fd);
  open_report(writer, line);
  writer.text("  the ").text(front_guard ? "front" : "tail").text(" guard was found damaged ")
      .text(when).text("\n");
  print_damage(writer, "guard bytes", damage);
  print_block_details(writer, header);
  bool freeing_now = std::strcmp(when, "at free") == 0;
  close_report(writer, fd, {kind, address, header, true, !freeing_now}, line, stack);
}

void report_write_after_free(BlockHeader* header, const Damage& damage,
                             std::uintptr_t caller) noexcept {
  auto user = reinterpret_cast<std::uintptr_t>(user_of(header));
  std::uintptr_t address = user + static_cast<std::uintptr_t>(damage.first_offset);
  ReportScope scope;
  if (!scope.active()) return record_nested(ErrorKind::UseAfterFree, address);
  CurrentStack stack;
  capture_current(stack, caller);
  ReportWriter line(-1);
  start_line(line, ErrorKind::UseAfterFree);
  line.text(" on address ").hex(address).text(" (block of ").decimal(header->requested_bytes)
      .text(" bytes at ").hex(user).text(", ").decimal(static_cast<std::uint64_t>(damage.first_offset))
      .text(" bytes inside)");
  end_line(line);
  int fd = report_fd();
  ReportWriter writer(fd);
  open_report(writer, line);
  writer.text("  freed memory was written after free (found when the block left the quarantine)\n");
  print_damage(writer, "freed bytes", damage);
  print_block_details(writer, header);
  close_report(writer, fd, {ErrorKind::UseAfterFree, address, header, true}, line, stack);
}

void report_mismatched_deallocation(BlockHeader* header, api::AllocationKind freed_with,
                                    std::uintptr_t caller) noexcept {
  auto address = reinterpret_cast<std::uintptr_t>(user_of(header));
  ReportScope scope;
  if (!scope.active()) return record_nested(ErrorKind::AllocDeallocMismatch, address);
  CurrentStack stack;
  capture_current(stack, caller);
  ReportWriter line(-1);
  start_line(line, ErrorKind::AllocDeallocMismatch);
  line.text(" (").text(allocation_function_name(header->allocation_kind())).text(" vs ")
      .text(deallocation_function_name(freed_with)).text(") on address ").hex(address);
  end_line(line);
  int fd = report_fd();
  ReportWriter writer(fd);
  open_report(writer, line);
  writer.text("  the block was allocated by ")
      .text(allocation_function_name(header->allocation_kind())).text(" and must be freed by ")
      .text(deallocation_function_name(header->allocation_kind())).text(", not ")
      .text(deallocation_function_name(freed_with)).text("\n");
  print_block_details(writer, header);
  close_report(writer, fd, {ErrorKind::AllocDeallocMismatch, address, header, true, false}, line,
               stack);
}

namespace {

// The request-argument errors: one line of explanation, never fatal.
void report_bad_request(ErrorKind kind, const ReportWriter& explanation, std::uintptr_t caller) {
  ReportScope scope;
  if (!scope.active()) return record_nested(kind, 0);
  CurrentStack stack;
  capture_current(stack, caller);
  ReportWriter line(-1);
  start_line(line, kind);
  line.text(": ").text(explanation.data(), explanation.size());
  end_line(line);
  int fd = report_fd();
  ReportWriter writer(fd);
  open_report(writer, line);
  close_report(writer, fd, {kind, 0, nullptr, false}, line, stack);
}

}  // namespace

void report_invalid_alignment(const char* function, std::size_t alignment,
                              std::uintptr_t caller) noexcept {
  ReportWriter explanation(-1);
  explanation.text(function).text(" called with alignment ").decimal(alignment)
      .text(", which is not a valid power of two (the call fails)");
  report_bad_request(ErrorKind::InvalidAlignment, explanation, caller);
}

void report_calloc_overflow(const char* function, std::size_t count, std::size_t size,
                            std::uintptr_t caller) noexcept {
  ReportWriter explanation(-1);
  explanation.text(function).text("(").decimal(count).text(", ").decimal(size)
      .text("): the size overflows (the call returns null, errno ENOMEM)");
  report_bad_request(std::strcmp(function, "calloc") == 0 ? ErrorKind::CallocOverflow
                                                          : ErrorKind::ReallocArrayOverflow,
                     explanation, caller);
}

void report_allocation_size_too_big(std::size_t bytes, std::uintptr_t caller) noexcept {
  ReportWriter explanation(-1);
  explanation.text("requested ").decimal(bytes).text(" bytes, more than the maximum of ")
      .decimal(kMaxRequestBytes).text(" (the call fails)");
  report_bad_request(ErrorKind::AllocationSizeTooBig, explanation, caller);
}

void lock_reports() noexcept { g_report_lock.lock(); }
void unlock_reports() noexcept { g_report_lock.unlock(); }

}  // namespace osp::debug
