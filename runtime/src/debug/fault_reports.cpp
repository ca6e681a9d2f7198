// Fault reports (see fault_reports.hpp). They run in a signal handler, on the thread's
// alternate stack: no locks of the heap are taken except the report lock, symbolization
// takes the internal allocation path as in every report.
#include "debug/fault_reports.hpp"

#include <signal.h>

#include <atomic>
#include <cstring>

#include "debug/guarded_blocks.hpp"
#include "debug/options.hpp"
#include "debug/report_sections.hpp"
#include "debug/error_reports.hpp"
#include "guarded/fault_handler.hpp"
#include "guarded/slot_space.hpp"
#include "trace/signal_context_stack.hpp"

namespace osp::debug {
namespace {

using guarded::Access;
using guarded::Fault;
using guarded::FaultOutcome;

void capture_faulting_stack(const Fault& fault, CurrentStack& stack) {
  int depth = options().stack_depth;
  if (depth < 16) depth = 16;
  stack.depth = trace::capture_signal_context_stack(fault.ucontext, fault.context.pc,
                                                    stack.frames, depth);
}

// "ERROR: osp: <kind> on address 0x... at pc 0x... bp 0x... sp 0x... thread T0".
void write_first_line(ReportWriter& line, ErrorKind kind, const char* on, const Fault& fault) {
  start_line(line, kind);
  line.text(on).hex(fault.address).text(" at pc ").hex(fault.context.pc)
      .text(" bp ").hex(fault.context.frame).text(" sp ").hex(fault.context.sp);
  end_line(line);
}

// "READ at 0x... by thread T0 (the faulting access):" and the faulting stack.
void print_access(ReportWriter& writer, int fd, const Fault& fault, const CurrentStack& stack) {
  writer.text(guarded::access_name(fault.context.access)).text(" at ").hex(fault.address)
      .text(" by thread T").decimal(current_thread_ordinal()).text(" (the faulting access):\n");
  print_frames(writer, fd, stack.frames, stack.depth);
}

ErrorKind kind_of_slot_fault(BlockHeader* header, std::uintptr_t address) {
  if (header->freed()) return ErrorKind::UseAfterFreeAccess;
  const auto user = reinterpret_cast<std::uintptr_t>(user_of(header));
  return address < user ? ErrorKind::HeapBufferUnderflow : ErrorKind::HeapBufferOverflow;
}

// "0x... is 4 bytes past the end of the 40-byte block [0x..., 0x...)".
void print_location(ReportWriter& writer, BlockHeader* header, std::uintptr_t address) {
  const auto user = reinterpret_cast<std::uintptr_t>(user_of(header));
  const std::size_t bytes = header->requested_bytes;
  writer.text("  ").hex(address).text(" is ");
  if (address < user) {
    writer.decimal(user - address).text(" bytes before the start of");
  } else if (address >= user + bytes) {
    writer.decimal(address - (user + bytes)).text(" bytes past the end of");
  } else {
    writer.decimal(address - user).text(" bytes inside");
  }
  writer.text(" the ").decimal(bytes).text("-byte block [").hex(user).text(", ")
      .hex(user + bytes).text(")");
  if (header->freed()) writer.text(", freed: its slot is closed");
  writer.text("\n");
}

void report_slot_fault(BlockHeader* header, const Fault& fault) {
  const ErrorKind kind = kind_of_slot_fault(header, fault.address);
  ReportScope scope;
  if (!scope.active()) return record_nested(kind, fault.address);
  CurrentStack stack;
  capture_faulting_stack(fault, stack);
  ReportWriter line(-1);
  write_first_line(line, kind, " on address ", fault);
  const int fd = report_fd();
  ReportWriter writer(fd);
  open_report(writer, line);
  print_access(writer, fd, fault, stack);
  print_location(writer, header, fault.address);
  print_block_details(writer, header);
  ReportFacts facts{kind, fault.address, header, true};
  facts.access = fault.context.access;
  close_report(writer, fd, facts, line, stack, nullptr);
}

// A register holding at least six bytes of a fill pattern was (almost surely) loaded from
// memory osp filled: says which.
void explain_fill_patterns(ReportWriter& writer, const Fault& fault) {
  const auto repeats = [](std::uintptr_t value, std::uint8_t byte) {
    int count = 0;
    for (int shift = 0; shift < 64; shift += 8) count += ((value >> shift) & 0xff) == byte ? 1 : 0;
    return count >= 6;
  };
  const guarded::FaultContext& context = fault.context;
  for (int index = 0; index < context.register_count; ++index) {
    const std::uintptr_t value = context.registers[index];
    const bool freed = repeats(value, kFreedFillByte);
    const bool fresh = repeats(value, kFreshFillByte);
    if (!freed && !fresh) continue;
    writer.text("  register ").text(context.register_names[index]).text(" = ").hex(value)
        .text(freed ? ": osp's fill of freed memory (0xfd): a pointer was loaded from a freed block"
                    : ": osp's fill of fresh memory (0xbe): a pointer was loaded from heap memory "
                      "that was never written")
        .text("\n");
  }
  const auto repeats_address = repeats(fault.address, kFreedFillByte) || repeats(fault.address, kFreshFillByte);
  if (repeats_address) writer.text("  the address itself is made of osp's fill bytes\n");
  constexpr std::uintptr_t kFirstPageEnd = 4096;
  if (fault.code == guarded::kFaultWithoutAddress) {
    writer.text("  the processor gave no address: the instruction used a wild (non-canonical) "
                "address, see the registers above\n");
  } else if (fault.address < kFirstPageEnd) {
    writer.text("  the address is in the first page: a null pointer dereference\n");
  }
}

void report_unknown_fault(const Fault& fault) {
  ReportScope scope;
  if (!scope.active()) return record_nested(ErrorKind::Segv, fault.address);
  CurrentStack stack;
  capture_faulting_stack(fault, stack);
  ReportWriter line(-1);
  write_first_line(line, ErrorKind::Segv, " on unknown address ", fault);
  const int fd = report_fd();
  ReportWriter writer(fd);
  open_report(writer, line);
  writer.text("  the signal is caused by a ").text(guarded::access_name(fault.context.access))
      .text(" memory access").text(fault.signal == SIGBUS ? " (SIGBUS)\n" : "\n");
  explain_fill_patterns(writer, fault);
  print_access(writer, fd, fault, stack);
  ReportFacts facts{ErrorKind::Segv, fault.address, nullptr, false};
  facts.access = fault.context.access;
  close_report(writer, fd, facts, line, stack, nullptr);
  writer.process_prefix().text("the program dies of this signal now, as it would without osp\n");
  writer.flush();
}

FaultOutcome on_fault(const Fault& fault, bool default_action_follows) {
  if (t_reporting) return FaultOutcome::PassOn;  // a fault inside a report: no second one
  ReentrancyGuard guard;
  if (guarded_blocks::in_slots(reinterpret_cast<const void*>(fault.address))) {
    const guarded::SlotLookup slot = guarded::lookup(fault.address);
    auto* header = static_cast<BlockHeader*>(slot.owner);
    if (header != nullptr && header->detached() && header->magic == kLiveMagic) {
      std::atomic_ref<std::uint8_t> flags(header->flags);
      const bool first = (flags.fetch_or(kFaultReported, std::memory_order_relaxed) & kFaultReported) == 0;
      if (first) report_slot_fault(header, fault);  // aborts under halt_on_error=1
      // Going on: open the page so the access completes; the slot is closed whole at reuse.
      return guarded::open_page_at(fault.address) ? FaultOutcome::Resume : FaultOutcome::PassOn;
    }
  }
  if (default_action_follows && options().handle_segv) {
    report_unknown_fault(fault);
    run_before_abort_hook();
  }
  return FaultOutcome::PassOn;
}

}  // namespace

void install_fault_reports() noexcept { guarded::install_fault_handler(on_fault); }

bool fault_reports_available() noexcept { return true; }

}  // namespace osp::debug
