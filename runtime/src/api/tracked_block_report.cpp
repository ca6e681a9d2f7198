#include "api/tracked_block_report.hpp"

#include <algorithm>
#include <cstring>

#include "os/os_memory.hpp"
#include "os/raw_writer.hpp"

namespace osp::api {
namespace {

using os_memory::tracker::TrackedBlock;

struct Collection {
  TrackedBlock* blocks;
  std::size_t capacity;
  std::size_t count;
};

void collect(const TrackedBlock& block, void* context) {
  auto* collection = static_cast<Collection*>(context);
  if (collection->count < collection->capacity) collection->blocks[collection->count++] = block;
}

int compare_origin(const TrackedBlock& left, const TrackedBlock& right) {
  const char* left_file = left.file != nullptr ? left.file : "";
  const char* right_file = right.file != nullptr ? right.file : "";
  if (const int order = std::strcmp(left_file, right_file); order != 0) return order;
  return left.line - right.line;
}

void write_origin(os::RawWriter& out, const TrackedBlock& block) {
  if (block.file == nullptr) out.text("<unknown origin>");
  else out.text(block.file).text(":").decimal(static_cast<std::uint64_t>(block.line));
}

}  // namespace

std::size_t write_tracked_block_report(int fd, const os_memory::tracker::MemoryTracker& tracker,
                                       bool verbose) noexcept {
  os::RawWriter out(fd);
  // Room for blocks allocated while we collect, so none is cut off silently.
  const std::size_t capacity = tracker.live_block_count() + 1024;
  const std::size_t scratch_bytes = capacity * sizeof(TrackedBlock);
  auto* blocks = static_cast<TrackedBlock*>(os::map(scratch_bytes, 0, false));
  if (blocks == nullptr) {
    out.text("osp: leak report: out of memory for ").decimal(capacity).text(" blocks\n");
    return 0;
  }
  Collection collection{blocks, capacity, 0};
  tracker.for_each_live_block(collect, &collection);
  std::sort(blocks, blocks + collection.count,
            [](const TrackedBlock& left, const TrackedBlock& right) { return compare_origin(left, right) < 0; });

  std::size_t total_bytes = 0;
  for (std::size_t i = 0; i < collection.count; ++i) total_bytes += blocks[i].size;
  if (collection.count == 0) {
    out.text("osp: no live tracked blocks\n");
  } else {
    out.text("osp: ").decimal(collection.count).text(" live tracked block(s), ").decimal(total_bytes)
        .text(" byte(s):\n");
  }
  for (std::size_t begin = 0; begin < collection.count;) {
    std::size_t end = begin;
    std::size_t site_bytes = 0;
    while (end < collection.count && compare_origin(blocks[begin], blocks[end]) == 0) site_bytes += blocks[end++].size;
    out.text("  ").decimal(end - begin).text(" block(s), ").decimal(site_bytes).text(" byte(s) allocated at ");
    write_origin(out, blocks[begin]);
    out.text("\n");
    for (std::size_t i = begin; verbose && i < end; ++i) {
      out.text("    ").address(blocks[i].address).text(" (").decimal(blocks[i].size).text(" bytes)\n");
    }
    begin = end;
  }
  out.flush();
  os::release(blocks, scratch_bytes);
  return collection.count;
}

}  // namespace osp::api
