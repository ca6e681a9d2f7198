// The shared parts of error reports (see report_sections.hpp).
#include "debug/report_sections.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "debug/live_blocks.hpp"
#include "debug/options.hpp"
#include "debug/stack_origin.hpp"
#include "debug/static_object.hpp"
#include "memory_pool.hpp"
#include "trace/symbolizer.hpp"
#include "trace/thread_stack_bounds.hpp"
#include "os/platform.hpp"

namespace osp::debug {

os::SpinLock g_report_lock;
OSP_THREAD_LOCAL(bool) t_reporting;

namespace {
void (*g_before_abort_hook)() = nullptr;
}  // namespace

void set_before_abort_hook(void (*hook)()) noexcept { g_before_abort_hook = hook; }

std::atomic<bool> g_aborting{false};

bool aborting_after_report() noexcept { return g_aborting.load(std::memory_order_acquire); }

void run_before_abort_hook() noexcept {
  g_aborting.store(true, std::memory_order_release);
  if (g_before_abort_hook != nullptr) g_before_abort_hook();
}

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
  std::uint64_t now = live_blocks::current_sequence();
  if (header->detached()) {
    const DetachedHeader* detached = detached_of(header);
    writer.text("  block: ").decimal(header->requested_bytes).text(" bytes at ")
        .address(user_of(header)).text(", guarded slot (")
        .text(detached->slot_side == 0 ? "an inaccessible page right after it"
                                       : "an inaccessible page right before it")
        .text("), allocation #").decimal(header->sequence).text(" (")
        .decimal(now >= header->sequence ? now - header->sequence : 0).text(" allocations ago)\n");
    return;
  }
  void* pool_block = pool_block_of(header);
  os_memory::Tier tier = os_memory::pool::MemoryPool::tier_of(pool_block);
  writer.text("  block: ").decimal(header->requested_bytes).text(" bytes at ")
      .address(user_of(header)).text(", tier ").text(os_memory::tier_name(tier));
  int size_class = os_memory::pool::MemoryPool::size_class_of(pool_block);
  if (size_class >= 0) writer.text(" (size class ").decimal(static_cast<std::uint64_t>(size_class)).text(")");
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

void open_report(ReportWriter& writer, const ReportWriter& first_line) {
  writer.process_prefix().text(first_line.data(), first_line.size()).text("\n");
}

void close_report(ReportWriter& writer, int fd, const ReportFacts& facts,
                  const ReportWriter& first_line, const CurrentStack& stack,
                  const char* stack_title) {
  if (facts.header != nullptr && !facts.header->internal()) {
    print_allocation_section(writer, fd, facts.header);
    if (facts.show_free_stack) print_free_section(writer, fd, facts.header);
  }
  if (stack_title != nullptr) {
    writer.text(stack_title).text("\n");
    print_frames(writer, fd, stack.frames, stack.depth);
  }
  print_summary(writer, facts.kind, stack);
  writer.flush();

  ErrorRecord record{};
  record.kind = facts.kind;
  record.address = facts.address;
  record.thread = current_thread_ordinal();
  record.access = facts.access;
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
    run_before_abort_hook();
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
  StaticObject object;
  if (find_static_object(address, object)) {
    writer.text("  the address is a global or static object in ").text(object.module);
    if (object.symbol != nullptr) writer.text(" (near '").text(object.symbol).text("')");
    writer.text("\n");
    return;
  }
  writer.text("  the address was not allocated by osp (or its block has been reused)\n");
}

void lock_reports() noexcept { g_report_lock.lock(); }
void unlock_reports() noexcept { g_report_lock.unlock(); }

}  // namespace osp::debug
