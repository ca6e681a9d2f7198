// The process's memory mappings, read from /proc/self/maps with raw system calls into
// scratch memory (no malloc: this runs while other threads are stopped). The scan uses it
// to read only memory that is mapped readable, so a program that unmapped or protected
// part of a stack, a data segment or a heap block cannot make the scan fault.
#pragma once

#include <cstddef>
#include <cstdint>

#include "report/scratch_arena.hpp"

namespace osp::report {

struct MemoryRegion {
  std::uintptr_t start;
  std::uintptr_t end;  // one past the last byte
  bool readable;
  bool writable;
};

class MemoryMap {
 public:
  // False when /proc/self/maps cannot be read (the scan then reports no leaks).
  bool load(ScratchArena& arena) noexcept;
  // The region containing `address`, or null.
  const MemoryRegion* find(std::uintptr_t address) const noexcept;
  // Calls visit(start, end) for each readable piece of [start, end).
  template <typename Visitor>
  void for_each_readable_piece(std::uintptr_t start, std::uintptr_t end, Visitor&& visit) const {
    while (start < end) {
      const MemoryRegion* region = find_at_or_after(start);
      if (region == nullptr || region->start >= end) return;
      std::uintptr_t piece_start = region->start > start ? region->start : start;
      std::uintptr_t piece_end = region->end < end ? region->end : end;
      if (region->readable) visit(piece_start, piece_end);
      start = piece_end;
    }
  }
  std::size_t size() const noexcept { return count_; }

 private:
  const MemoryRegion* find_at_or_after(std::uintptr_t address) const noexcept;
  MemoryRegion* regions_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace osp::report
