// libospdebug's side of the API seam (backend.hpp): ALLOCATE/DEALLOCATE and the C API go
// through the debug heap, and MemoryTracker describes the debug layer's live-block list.
// Tracking is always on in libospdebug; MemoryTracker shows the blocks of the osp API
// (ALLOCATE, the C API, STL_Allocator), as in libosp, so its counts do not move with the
// C and C++ libraries' own malloc/new traffic. The exit leak report covers every block.
#include "api/backend.hpp"

#include "debug/debug_heap.hpp"
#include "debug/error_reports.hpp"
#include "debug/live_blocks.hpp"
#include "debug/report_writer.hpp"
#include "debug/runtime_thread.hpp"
#include "memory_tracker.hpp"

namespace osp::api {

void* backend_allocate(std::size_t bytes, std::size_t alignment, const char* file, int line,
                       AllocationKind kind) noexcept {
  auto caller = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    if (!debug::inside_runtime()) {
      debug::ReentrancyGuard guard;
      debug::report_invalid_alignment("ALLOCATE_ALIGNED", alignment, caller);
    }
    return nullptr;
  }
  // The osp API always names an alignment: a guarded slot keeps it.
  return debug::allocate({bytes, alignment, kind, file, line, caller, false, 0, true});
}

void backend_deallocate(void* block, AllocationKind kind) noexcept {
  debug::deallocate(block, kind, reinterpret_cast<std::uintptr_t>(__builtin_return_address(0)));
}

std::size_t backend_check_heap() noexcept {
  return debug::check_heap("in a heap check",
                           reinterpret_cast<std::uintptr_t>(__builtin_return_address(0)));
}

}  // namespace osp::api

namespace os_memory::tracker {

MemoryTracker& MemoryTracker::get() noexcept {
  static MemoryTracker tracker;
  return tracker;
}

bool MemoryTracker::enabled() const noexcept { return true; }

// Tracking cannot be turned off in libospdebug: every block carries its header anyway.
void MemoryTracker::set_enabled(bool) noexcept {}

std::size_t MemoryTracker::live_block_count() const noexcept {
  return osp::debug::live_blocks::count_of(osp::api::AllocationKind::Api);
}

std::size_t MemoryTracker::live_bytes() const noexcept {
  return osp::debug::live_blocks::bytes_of(osp::api::AllocationKind::Api);
}

void MemoryTracker::for_each_live_block(Visitor visit, void* context) const noexcept {
  struct Forward {
    Visitor visit;
    void* context;
  } forward{visit, context};
  osp::debug::for_each_live_block(
      [](const osp::debug::LiveBlockInfo& block, void* raw) {
        auto* target = static_cast<Forward*>(raw);
        if (block.kind != osp::api::AllocationKind::Api) return;
        TrackedBlock tracked{block.address, block.requested_bytes, block.origin_file,
                             block.origin_line};
        target->visit(tracked, target->context);
      },
      &forward);
}

std::size_t MemoryTracker::report(int fd) const noexcept {
  osp::debug::ReentrancyGuard guard;
  struct Context {
    osp::debug::ReportWriter* writer;
    std::size_t count;
  };
  osp::debug::ReportWriter writer(fd);
  Context context{&writer, 0};
  writer.process_prefix().text("osp: ").decimal(live_block_count()).text(" live blocks, ")
      .decimal(live_bytes()).text(" bytes\n");
  osp::debug::for_each_live_block(
      [](const osp::debug::LiveBlockInfo& block, void* raw) {
        auto* state = static_cast<Context*>(raw);
        if (block.kind != osp::api::AllocationKind::Api) return;
        state->writer->text("  ").decimal(block.requested_bytes).text(" bytes at ")
            .address(block.address);
        if (block.origin_file != nullptr) {
          state->writer->text(" from ").text(block.origin_file).text(":")
              .decimal(static_cast<std::uint64_t>(block.origin_line));
        } else {
          state->writer->text(" (stack #").decimal(block.allocation_stack).text(")");
        }
        state->writer->text(" thread T").decimal(block.thread).text("\n");
        ++state->count;
      },
      &context);
  return context.count;
}

}  // namespace os_memory::tracker
