// The snapshot document (see snapshot_json.hpp). Member order follows the format page.
#include "report/snapshot_json.hpp"

#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "debug/error_log.hpp"
#include "debug/guarded_blocks.hpp"
#include "debug/options.hpp"
#include "memory_pool.hpp"
#include "os/os_memory.hpp"
#include "os/raw_format.hpp"
#include "pool/size_classes.hpp"
#include "report/process_info.hpp"

namespace osp::report {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kTierNames[os_memory::kTierCount] = {"small", "medium", "large", "huge",
                                                           "direct"};

std::string hex_address(std::uint64_t value) {
  char storage[24];
  os::RawFormatBuffer text(storage, sizeof(storage));
  return text.append("0x").append_hex(value).c_str();
}

std::string utc_time(std::int64_t seconds) {
  char text[32];
  format_utc_time(seconds, text);
  return text;
}

Json process_section(SnapshotTrigger trigger, const LeakScan& scan) {
  Json process;
  process["pid"] = os::process_id();
  process["executable"] = scan.modules.module_count() != 0 ? scan.modules.module(0).path : "";
  Json command_line = Json::array();
  const std::string arguments = command_line_arguments();
  for (std::size_t start = 0; start < arguments.size();) {
    std::size_t end = arguments.find('\0', start);
    if (end == std::string::npos) end = arguments.size();
    command_line.push_back(arguments.substr(start, end - start));
    start = end + 1;
  }
  process["command_line"] = std::move(command_line);
  process["start_time"] = utc_time(process_start_time());
  process["snapshot_time"] = utc_time(current_time());
  int status = 0;
  if (trigger == SnapshotTrigger::Exit && exit_status_known(status)) {
    process["exit_status"] = status;
  } else {
    process["exit_status"] = nullptr;
  }
  process["trigger"] = trigger == SnapshotTrigger::Exit    ? "exit"
                       : trigger == SnapshotTrigger::Api   ? "api"
                       : trigger == SnapshotTrigger::Error ? "error"
                                                           : "signal";
  return process;
}

void add_option(Json& options, const char* name, bool value) { options[name] = value; }
void add_option(Json& options, const char* name, int value) { options[name] = value; }
void add_option(Json& options, const char* name, const char* value) {
  options[name] = value != nullptr ? value : "";
}

Json options_section() {
  Json options = Json::object();
  const debug::Options& current = debug::options();
#define OSP_OPTION(type, name, default_value, description) add_option(options, #name, current.name);
#include "debug/options.inc"
#undef OSP_OPTION
  return options;
}

Json block_count(const BlockCount& count) {
  return Json{{"blocks", count.blocks}, {"bytes", count.bytes}};
}

Json totals_section(const SiteTable& sites) {
  Json by_kind;
  for (int kind = 0; kind < kLeakKindCount; ++kind) {
    by_kind[leak_kind_name(static_cast<LeakKind>(kind))] = block_count(sites.by_kind(static_cast<LeakKind>(kind)));
  }
  return Json{{"live_blocks", sites.live().blocks},
              {"live_bytes", sites.live().bytes},
              {"by_kind", std::move(by_kind)},
              {"suppressed", block_count(sites.suppressed())}};
}

Json counters_section() {
  const os_memory::pool::PoolCounters counters = os_memory::pool::MemoryPool::counters();
  Json tiers = Json::array();
  for (int tier = 0; tier < os_memory::kTierCount; ++tier) {
    const os_memory::pool::TierCounters& values = counters.tiers[tier];
    if (values.allocations == 0 && values.live_bytes == 0) continue;
    tiers.push_back(Json{{"tier", kTierNames[tier]},
                         {"live_bytes", values.live_bytes},
                         {"peak_bytes", values.peak_bytes},
                         {"allocations", values.allocations},
                         {"frees", values.frees}});
  }
  Json section{{"peak_bytes", counters.peak_bytes},
               {"failed_allocations", counters.failed_allocations},
               {"tiers", std::move(tiers)}};
  const debug::guarded_blocks::GuardCounters guard = debug::guarded_blocks::counters();
  if (std::strcmp(guard.mode, "off") != 0) {
    // unguarded_blocks: in `all` mode, blocks that got canaries only (budget spent).
    section["guard_pages"] = Json{{"mode", guard.mode},
                                  {"guarded_blocks", guard.guarded},
                                  {"unguarded_blocks", guard.unguarded},
                                  {"live_slots", guard.live_slots},
                                  {"reused_slots", guard.reused_slots},
                                  {"address_space_bytes", guard.address_space_bytes},
                                  {"max_live_slots", guard.max_live_slots}};
  }
  return section;
}

Json frames_json(trace::StackId stack, const ModuleTable& modules, bool symbolize) {
  SiteFrame frames[trace::kMaxStackDepth];
  const int depth = resolve_frames(stack, modules, symbolize, frames);
  Json list = Json::array();
  for (int index = 0; index < depth; ++index) {
    const SiteFrame& frame = frames[index];
    Json item{{"address", hex_address(frame.address)},
              {"module", frame.module},
              {"module_offset", hex_address(frame.module_offset)}};
    if (frame.function != nullptr) {
      item["function"] = frame.function;
      if (frame.file != nullptr) {
        item["file"] = frame.file;
        item["line"] = frame.line < 0 ? 0 : frame.line;
      }
    }
    list.push_back(std::move(item));
  }
  return list;
}

Json site_json(const SiteTable& sites, std::size_t index, const LeakScan& scan, bool symbolize) {
  const LeakSite& site = sites[index];
  Json samples = Json::array();
  for (int sample = 0; sample < site.sample_count; ++sample) {
    samples.push_back(Json{{"address", hex_address(site.sample_address[sample])},
                           {"size", site.sample_bytes[sample]}});
  }
  Json origin = nullptr;
  if (site.origin_file != nullptr) origin = Json{{"file", site.origin_file}, {"line", site.origin}};
  Json tiers = Json::object();
  for (int tier = 0; tier < os_memory::kTierCount; ++tier) {
    if (site.tiers[tier].blocks != 0) tiers[kTierNames[tier]] = block_count(site.tiers[tier]);
  }
  Json size_classes = Json::array();
  sites.for_each_size_class(index, [&](int size_class, std::uint64_t blocks) {
    size_classes.push_back(Json{{"class", size_class},
                                {"block_bytes", osp::pool::class_block_bytes(size_class)},
                                {"blocks", blocks}});
  });
  char key[17];
  for (int digit = 0; digit < 16; ++digit) {
    key[digit] = "0123456789abcdef"[(site.key >> (60 - 4 * digit)) & 0xf];
  }
  key[16] = '\0';
  return Json{{"key", key},
              {"kind", leak_kind_name(site.kind)},
              {"blocks", site.total.blocks},
              {"bytes", site.total.bytes},
              {"samples", std::move(samples)},
              {"origin", std::move(origin)},
              {"frames", frames_json(site.stack(), scan.modules, symbolize)},
              {"tiers", std::move(tiers)},
              {"size_classes", std::move(size_classes)}};
}

const char* snapshot_error_kind(debug::ErrorKind kind) {
  switch (kind) {
    case debug::ErrorKind::DoubleFree: return "double-free";
    case debug::ErrorKind::InvalidFree: return "invalid-free";
    case debug::ErrorKind::HeapBufferOverflow: return "heap-buffer-overflow";
    case debug::ErrorKind::HeapBufferUnderflow: return "heap-buffer-underflow";
    case debug::ErrorKind::UseAfterFree: return "use-after-free-write";
    case debug::ErrorKind::AllocDeallocMismatch: return "alloc-dealloc-mismatch";
    case debug::ErrorKind::InvalidAlignment: return "invalid-alignment";
    case debug::ErrorKind::CallocOverflow:
    case debug::ErrorKind::ReallocArrayOverflow: return "calloc-overflow";
    case debug::ErrorKind::AllocationSizeTooBig: return "allocation-size-too-big";
    case debug::ErrorKind::UseAfterFreeAccess: return "use-after-free";
    case debug::ErrorKind::Segv: return "segv";
  }
  return "invalid-free";
}

// The error log is copied first (its visitor must not allocate), then turned into JSON.
Json errors_section(const ModuleTable& modules, bool symbolize) {
  struct Copies {
    debug::ErrorRecord* records;
    std::size_t count, capacity;
  };
  std::vector<debug::ErrorRecord> records(debug::error_count());
  Copies copies{records.data(), 0, records.size()};
  debug::for_each_error(
      [](const debug::ErrorRecord& record, void* raw) {
        auto* target = static_cast<Copies*>(raw);
        if (target->count < target->capacity) target->records[target->count++] = record;
      },
      &copies);
  Json errors = Json::array();
  for (std::size_t index = 0; index < copies.count; ++index) {
    const debug::ErrorRecord& record = records[index];
    std::string message(record.message, strnlen(record.message, sizeof record.message));
    for (char& character : message) {
      if (character == '\n' || character == '\r') character = ' ';
    }
    Json stacks = Json::object();
    if (record.allocation_stack != trace::kNoStack) {
      stacks["allocation"] = frames_json(record.allocation_stack, modules, symbolize);
    }
    if (record.free_stack != trace::kNoStack) stacks["free"] = frames_json(record.free_stack, modules, symbolize);
    if (record.current_stack != trace::kNoStack) {
      stacks["current"] = frames_json(record.current_stack, modules, symbolize);
    }
    Json error{{"kind", snapshot_error_kind(record.kind)},
               {"address", hex_address(record.address)},
               {"size", record.block_bytes},
               {"thread", record.thread},
               {"message", std::move(message)},
               {"stacks", std::move(stacks)}};
    // Faults caught at the access: what the faulting instruction did (stacks.current
    // starts at it).
    if (record.access != guarded::Access::None) error["access"] = guarded::access_name(record.access);
    errors.push_back(std::move(error));
  }
  return errors;
}

Json modules_section(const ModuleTable& modules) {
  Json list = Json::array();
  for (std::size_t index = 0; index < modules.module_count(); ++index) {
    const LoadedModule& module = modules.module(index);
    if (module.path[0] == '\0') continue;
    list.push_back(Json{{"path", module.path}, {"build_id", module.build_id}, {"base", hex_address(module.base)}});
  }
  return list;
}

Json scan_section(const LeakScan& scan) {
  return Json{{"complete", scan.complete},
              {"threads", scan.threads},
              {"threads_unanswered", scan.unanswered_threads},
              {"blocks_scanned", scan.blocks.size()},
              {"root_bytes", scan.root_bytes},
              {"duration_us", scan.duration_microseconds}};
}

}  // namespace

std::string build_snapshot_json(const LeakScan& scan, const SiteTable& sites, SnapshotTrigger trigger) {
  const bool symbolize = debug::options().symbolize;
  Json document;
  document["format"] = "osp-leak-snapshot";
  document["version"] = 1;
  document["process"] = process_section(trigger, scan);
  document["options"] = options_section();
  document["totals"] = totals_section(sites);
  document["counters"] = counters_section();
  document["scan"] = scan_section(scan);
  // One line per site and per error keeps the file readable and diff-friendly.
  std::string text = "{";
  bool first = true;
  for (auto& [name, value] : document.items()) {
    text += first ? "\n" : ",\n";
    first = false;
    text += Json(name).dump() + ": " + value.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  const auto append_array = [&text](const char* name, auto&& each_item, std::size_t count) {
    text += ",\n\"";
    text += name;
    text += "\": [";
    for (std::size_t index = 0; index < count; ++index) {
      text += index == 0 ? "\n  " : ",\n  ";
      text += each_item(index).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    text += count == 0 ? "]" : "\n]";
  };
  // Suppressed sites are counted in totals.suppressed only.
  std::vector<std::size_t> listed;
  for (std::size_t index = 0; index < sites.size(); ++index) {
    if (!sites[index].suppressed) listed.push_back(index);
  }
  append_array("leaks", [&](std::size_t index) { return site_json(sites, listed[index], scan, symbolize); },
               listed.size());
  const Json errors = errors_section(scan.modules, symbolize);
  append_array("errors", [&](std::size_t index) { return errors[index]; }, errors.size());
  const Json modules = modules_section(scan.modules);
  append_array("modules", [&](std::size_t index) { return modules[index]; }, modules.size());
  text += "\n}\n";
  return text;
}

}  // namespace osp::report
