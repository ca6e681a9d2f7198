// The error reports (see error_reports.hpp). Every report runs with the reentrancy guard
// held (symbolization may allocate; those calls take the internal path) and under one
// report lock so reports from different threads never interleave. A report raised while
// the same thread is already reporting is recorded but not printed.
// Lock order: a live-list shard lock may be held when the report lock is taken (the heap
// check reports from inside its walk), never the other way round.
#include "debug/error_reports.hpp"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "debug/error_log.hpp"
#include "debug/live_blocks.hpp"
#include "debug/options.hpp"
#include "debug/report_files.hpp"
#include "debug/report_sections.hpp"
#include "debug/report_writer.hpp"
#include "debug/runtime_thread.hpp"
#include "debug/stack_origin.hpp"
#include "memory_pool.hpp"
#include "os/os_memory.hpp"
#include "pool/pool_counters.hpp"
#include "trace/symbolizer.hpp"
#include "trace/thread_stack_bounds.hpp"

namespace osp::debug {
namespace {

os::SpinLock g_log_lock;
int g_log_fd = -1;
std::uint64_t g_log_pid = 0;


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
    // Never follows a symlink or writes into someone else's file planted at the name.
    int fd = open_log_file(path);
    if (fd < 0) {
      const int error = errno;
      ReportWriter(2).text("osp: warning: cannot open log_path file '").text(path).text("' (")
          .text(error == ELOOP || error == EEXIST ? "a symlink or another user's file is there"
                                                   : strerrorname_np(error))
          .text("); reporting to stderr\n");
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
  // Described before the report lock is taken: the description walks the live table, and
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

// The request-argument errors: requests no allocator can satisfy. One rule for all of them,
// ASan's allocator_may_return_null: the failure is always counted; with the option off (the
// default) it is an error like any other (reported, recorded, fatal under halt_on_error),
// with it on the call just fails the documented way, silently.
void report_bad_request(ErrorKind kind, const ReportWriter& explanation, std::uintptr_t caller) {
  pool::count_failed_allocation();
  if (options().allocator_may_return_null) return;
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
  writer.text("  hint: allocator_may_return_null=1 makes such calls fail without a report\n");
  close_report(writer, fd, {kind, 0, nullptr, true}, line, stack);
}

}  // namespace

void report_invalid_alignment(const char* function, std::size_t alignment,
                              std::uintptr_t caller) noexcept {
  ReportWriter explanation(-1);
  explanation.text(function).text(" called with alignment ").decimal(alignment).text(", which ");
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    explanation.text("is not a power of two");
  } else if (alignment > kMaxAlignmentBytes) {
    explanation.text("is more than the maximum of ").decimal(kMaxAlignmentBytes);
  } else {
    explanation.text("is not a multiple of sizeof(void*)");
  }
  explanation.text(" (the call fails)");
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

}  // namespace osp::debug
