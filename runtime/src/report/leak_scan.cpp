// The scan's phases in order (see leak_scan.hpp).
#include "report/leak_scan.hpp"

#include "debug/live_blocks.hpp"
#include "debug/options.hpp"
#include "os/os_memory.hpp"
#include "report/memory_map.hpp"
#include "report/reachability.hpp"
#include "report/root_set.hpp"
#include "report/thread_stopper.hpp"

namespace osp::report {
namespace {

void mark_everything_reachable(BlockIndex& blocks) {
  for (std::size_t index = 0; index < blocks.size(); ++index) {
    blocks[index].state = BlockState::Reachable;
  }
}

// Runs with every other thread stopped.
bool scan_stopped_world(LeakScan& scan, const ThreadStopper& stopper, std::size_t tls_bytes,
                        const CallerRoots& caller) {
  MemoryMap map;
  if (!map.load(scan.arena)) return false;
  RootSet roots(scan.arena, map);
  bool ok = roots.add_module_data(scan.modules) &&
            roots.add_thread(caller.stack, current_thread_pointer(), tls_bytes) &&
            roots.add(reinterpret_cast<std::uintptr_t>(caller.registers),
                      reinterpret_cast<std::uintptr_t>(caller.registers + kCallerRegisters));
  for (std::size_t index = 0; ok && index < stopper.stopped_count(); ++index) {
    const StoppedThread& thread = stopper.stopped(index);
    ok = roots.add_thread(thread.stack_pointer, thread.thread_pointer, tls_bytes);
    if (ok && thread.registers_end != 0) ok = roots.add(thread.registers_start, thread.registers_end);
  }
  if (!ok) {
    mark_everything_reachable(scan.blocks);
    return false;
  }
  scan.root_bytes = roots.total_bytes();
  return classify_blocks(scan.blocks, roots, map, scan.modules, scan.arena);
}

}  // namespace

void run_leak_scan(LeakScan& scan, const CallerRoots& caller) noexcept {
  // One scan at a time: the thread stopper's slots are shared.
  static os::SpinLock scan_lock;
  scan_lock.lock();
  const std::uint64_t started = os::monotonic_nanoseconds();
  // Before the world stops: these take the loader's lock, which a stopped thread may hold.
  const std::size_t tls_bytes = static_tls_bytes();
  const bool modules_loaded = scan.modules.load(scan.arena);

  ThreadStopper stopper;
  // The table is held from before the stop until it is copied: no thread stops inside a
  // shard's critical section, and none is waited on once stopped (live_blocks.hpp).
  debug::live_blocks::hold_all_for_visit();
  const bool stopped = stopper.stop_all(debug::options().scan_signal, debug::options().scan_timeout_ms);
  const bool indexed = scan.blocks.build(scan.arena);
  debug::live_blocks::release_all_after_visit();
  scan.threads = 1 + stopper.stopped_count() + stopper.unanswered();
  scan.unanswered_threads = stopper.unanswered();
  scan.complete = stopped && stopper.unanswered() == 0;
  if (modules_loaded && indexed && scan.complete) {
    scan.succeeded = scan_stopped_world(scan, stopper, tls_bytes, caller);
  } else {
    // A thread that did not stop may free blocks at any moment: their contents are not
    // read. The blocks are still listed, none of them as a leak.
    mark_everything_reachable(scan.blocks);
  }
  stopper.resume_all();
  scan.duration_microseconds = (os::monotonic_nanoseconds() - started) / 1000;
  scan_lock.unlock();
}

}  // namespace osp::report
