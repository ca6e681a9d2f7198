// The leak snapshot as typed data (docs/snapshot-format.md), and the loader that checks
// every field of a file before anything is built from it. A snapshot that loads is
// complete and consistent: the commands never see a missing member or a wrong type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "interned_string.hpp"

namespace leakview {

inline constexpr int kNewestSnapshotVersion = 1;
inline constexpr std::size_t kMaxSamplesPerSite = 8;

// A problem with an input: which file, where in it (a JSON path such as
// `$.leaks[2].frames[0].line`) and what is wrong.
class InputError : public std::runtime_error {
public:
    InputError(std::string file, std::string where, std::string problem);
    const std::string& file() const { return file_; }
    const std::string& where() const { return where_; }
    const std::string& problem() const { return problem_; }

private:
    std::string file_, where_, problem_;
};

enum class LeakKind { definite, indirect, possible, reachable };
inline constexpr LeakKind kAllLeakKinds[] = {LeakKind::definite, LeakKind::indirect,
                                             LeakKind::possible, LeakKind::reachable};
const char* to_string(LeakKind kind);
std::optional<LeakKind> leak_kind_from_string(const std::string& text);

struct BlockCount {
    std::uint64_t blocks = 0;
    std::uint64_t bytes = 0;
};

// Names are interned: a large snapshot repeats the same few thousand in millions of frames.
struct Frame {
    std::uint64_t address = 0;
    InternedString module;
    std::uint64_t module_offset = 0;
    OptionalInternedString function;
    OptionalInternedString file;
    std::optional<std::uint64_t> line;
};
using Stack = std::vector<Frame>;  // innermost first

struct Origin {
    std::string file;
    std::uint64_t line = 0;
};

struct Sample {
    std::uint64_t address = 0;
    std::uint64_t size = 0;
};

struct SizeClassCount {
    std::uint64_t size_class = 0;
    std::uint64_t block_bytes = 0;
    std::uint64_t blocks = 0;
};

struct LeakSite {
    std::string key;
    LeakKind kind = LeakKind::definite;
    std::uint64_t blocks = 0;
    std::uint64_t bytes = 0;
    std::vector<Sample> samples;
    std::optional<Origin> origin;
    Stack frames;
    std::map<std::string, BlockCount> tiers;  // tier name -> count
    std::vector<SizeClassCount> size_classes;
};

struct ErrorReport {
    std::string kind;
    std::uint64_t address = 0;
    std::uint64_t size = 0;
    std::uint64_t thread = 0;
    std::string message;
    std::map<std::string, Stack> stacks;  // "allocation" | "free" | "current"
    // Faults caught at the access: "READ", "WRITE" or "ACCESS" (empty otherwise); the
    // current stack then starts at the faulting instruction.
    std::string access;
};

struct Run {
    std::int64_t pid = 0;
    std::string executable;
    std::vector<std::string> command_line;
    std::string start_time;
    std::string snapshot_time;
    std::optional<std::int64_t> exit_status;
    std::string trigger;
};

// One run, or several after `merge` (then `runs` holds them all and `merged` is true).
struct ProcessInfo {
    bool merged = false;
    std::vector<Run> runs;
};

using OptionValue = std::variant<std::string, double, std::int64_t, bool>;

struct TierCounters {
    std::string tier;
    std::uint64_t live_bytes = 0;
    std::uint64_t peak_bytes = 0;
    std::uint64_t allocations = 0;
    std::uint64_t frees = 0;
};

struct Totals {
    std::uint64_t live_blocks = 0;
    std::uint64_t live_bytes = 0;
    std::map<LeakKind, BlockCount> by_kind;
    BlockCount suppressed;
};

struct Counters {
    std::uint64_t peak_bytes = 0;
    std::uint64_t failed_allocations = 0;
    std::vector<TierCounters> tiers;
};

struct Module {
    std::string path;
    std::string build_id;
    std::uint64_t base = 0;
};

struct Snapshot {
    std::string source;  // the file it came from, for messages
    int version = kNewestSnapshotVersion;
    ProcessInfo process;
    std::map<std::string, OptionValue> options;
    Totals totals;
    Counters counters;
    std::vector<LeakSite> leaks;  // bytes descending, then key
    std::vector<ErrorReport> errors;
    std::vector<Module> modules;
};

// Reads and checks a snapshot file; throws InputError naming the file, the JSON path and
// the problem.
Snapshot load_snapshot_file(const std::string& path);

// Checks a snapshot already in memory (used by the file loader and the fuzzer).
Snapshot parse_snapshot_text(const std::string& text, const std::string& display_name);

// Sorts leaks into the documented order: bytes descending, then key.
void sort_leaks(std::vector<LeakSite>& leaks);

std::string format_address(std::uint64_t address);

}  // namespace leakview
