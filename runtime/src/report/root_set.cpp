// Root collection (see root_set.hpp).
#include "report/root_set.hpp"

#include <cstring>

namespace osp::report {
namespace {

// glibc puts the thread descriptor (struct pthread, about 2.3 KiB) at the thread pointer.
constexpr std::size_t kThreadDescriptorBytes = 4096;
// A stack mapping merged by the kernel with a neighbouring mapping could be huge; no
// thread stack is larger than this.
constexpr std::uintptr_t kMaxStackScanBytes = std::uintptr_t{1} << 30;

std::uintptr_t clamp_sub(std::uintptr_t value, std::uintptr_t amount) {
  return value > amount ? value - amount : 0;
}

}  // namespace

bool RootSet::add(std::uintptr_t start, std::uintptr_t end) noexcept {
  if (failed_) return false;
  map_.for_each_readable_piece(start, end, [this](std::uintptr_t piece_start, std::uintptr_t piece_end) {
    if (failed_) return;
    if (count_ == capacity_) {
      std::size_t wanted = capacity_ == 0 ? 256 : capacity_ * 2;
      auto* grown = arena_.allocate_array<RootRange>(wanted);
      if (grown == nullptr) {
        failed_ = true;
        return;
      }
      if (count_ != 0) std::memcpy(grown, ranges_, count_ * sizeof(RootRange));
      ranges_ = grown;
      capacity_ = wanted;
    }
    ranges_[count_++] = {piece_start, piece_end};
    total_bytes_ += piece_end - piece_start;
  });
  return !failed_;
}

bool RootSet::add_thread(std::uintptr_t stack_pointer, std::uintptr_t thread_pointer,
                         std::size_t static_tls) noexcept {
  const MemoryRegion* stack = map_.find(stack_pointer);
  if (stack != nullptr) {
    std::uintptr_t end = stack->end;
    if (thread_pointer >= stack_pointer && thread_pointer < end) {
      // A glibc thread: its static TLS and descriptor are the last things in the stack
      // mapping, so this range covers them.
      std::uintptr_t descriptor_end = thread_pointer + kThreadDescriptorBytes;
      if (descriptor_end < end) end = descriptor_end;
    } else if (end - stack_pointer > kMaxStackScanBytes) {
      end = stack_pointer + kMaxStackScanBytes;
    }
    if (!add(stack_pointer, end)) return false;
  }
  const MemoryRegion* tls = map_.find(thread_pointer);
  // TLS on the thread's own stack mapping is covered above; a window there would also
  // take in dead stack below the stack pointer (stale pointers).
  if (tls == nullptr || tls == stack) return true;
  // Elsewhere (the main thread's TLS): static TLS sits below the thread pointer on
  // x86-64 and above it on AArch64.
  std::uintptr_t start = clamp_sub(thread_pointer, static_tls + kThreadDescriptorBytes);
  std::uintptr_t end = thread_pointer + static_tls + kThreadDescriptorBytes;
  if (start < tls->start) start = tls->start;
  if (end > tls->end) end = tls->end;
  return add(start, end);
}

bool RootSet::add_module_data(const ModuleTable& modules) noexcept {
  for (std::size_t index = 0; index < modules.segment_count(); ++index) {
    const DataSegment& segment = modules.segment(index);
    if (modules.module(segment.module).is_runtime) continue;
    if (!add(segment.start, segment.end)) return false;
  }
  return true;
}

}  // namespace osp::report
