#include "offline_symbolizer.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <sstream>
#include <vector>

#include "elf_build_id.hpp"

extern char** environ;

namespace leakview {
namespace {

constexpr std::size_t kOffsetsPerBatch = 512;  // keeps argv far below ARG_MAX

// Runs a program (no shell: module paths come from the input) and returns its stdout;
// nullopt when it cannot be started or fails.
std::optional<std::string> run_and_capture(const std::vector<std::string>& arguments) {
    int pipe_ends[2];
    if (pipe(pipe_ends) != 0) return std::nullopt;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", 0, 0);
    std::vector<char*> argv;
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    pid_t child = 0;
    int spawned = posix_spawnp(&child, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_ends[1]);
    if (spawned != 0) {
        close(pipe_ends[0]);
        return std::nullopt;
    }
    std::string output;
    char buffer[4096];
    ssize_t count;
    while ((count = read(pipe_ends[0], buffer, sizeof buffer)) > 0) output.append(buffer, static_cast<std::size_t>(count));
    close(pipe_ends[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    return output;
}

}  // namespace

bool OfflineSymbolizer::module_matches(const std::string& path, const std::string& build_id) {
    auto [entry, inserted] = module_checked_.emplace(std::make_pair(path, build_id), false);
    if (inserted) {
        auto on_disk = build_id.empty() ? std::nullopt : read_elf_build_id(path);
        entry->second = on_disk && *on_disk == build_id;
    }
    return entry->second;
}

OfflineSymbolizer::ModuleFiles& OfflineSymbolizer::files_of(const std::string& module, const std::string& build_id) {
    auto [entry, inserted] = files_.try_emplace(module);
    if (inserted) {
        ModuleFiles& files = entry->second;
        files.functions.add_file(module);
        files.line_source = module;
        if (auto debug_file = find_debug_file(module, build_id, debug_roots_)) {
            files.functions.add_file(*debug_file);
            files.line_source = *debug_file;
        }
    }
    return entry->second;
}

namespace {

// Frames are return addresses: the call is the instruction before, at offset - 1.
std::uint64_t call_site(std::uint64_t return_offset) { return return_offset == 0 ? 0 : return_offset - 1; }

bool is_address_line(const std::string& line) {
    return line.size() > 2 && line.compare(0, 2, "0x") == 0 &&
           line.find_first_not_of("0123456789abcdef", 2) == std::string::npos;
}

// `addr2line -a -i -f` prints, per address, the address, then (function, file:line) pairs
// from the innermost inlined function out. Returns the last pair's location per address.
std::vector<std::string> outermost_locations(const std::string& output, std::size_t addresses) {
    std::vector<std::string> locations;
    std::istringstream lines(output);
    std::string line;
    std::size_t pair_line = 0;
    while (std::getline(lines, line)) {
        if (is_address_line(line)) {
            locations.emplace_back();
            pair_line = 0;
        } else if (!locations.empty() && pair_line++ % 2 == 1) {
            locations.back() = line;
        }
    }
    if (locations.size() != addresses) return {};  // not the output we asked for
    return locations;
}

}  // namespace

void OfflineSymbolizer::resolve(const std::string& module, const std::string& build_id,
                                const std::vector<std::uint64_t>& offsets) {
    ModuleFiles& files = files_of(module, build_id);
    for (std::size_t first = 0; first < offsets.size(); first += kOffsetsPerBatch) {
        std::size_t last = std::min(offsets.size(), first + kOffsetsPerBatch);
        std::vector<std::string> arguments = {addr2line_, "-a", "-i", "-f", "-e", files.line_source};
        for (std::size_t index = first; index < last; ++index) arguments.push_back(format_address(call_site(offsets[index])));
        auto output = run_and_capture(arguments);
        auto locations = outermost_locations(output.value_or(""), last - first);
        for (std::size_t index = first; index < last; ++index) {
            Symbol symbol;
            if (auto name = files.functions.find(call_site(offsets[index]))) symbol.function = display_symbol_name(*name);
            const std::string location = locations.empty() ? "" : locations[index - first];
            auto colon = location.rfind(':');
            std::string file = location.substr(0, colon);
            if (colon != std::string::npos && !file.empty() && file != "??") {
                symbol.file = file;
                std::string line = location.substr(colon + 1);
                line = line.substr(0, line.find_first_not_of("0123456789"));
                if (!line.empty() && line.size() <= 9 && line != "0") symbol.line = std::stoull(line);
            }
            cache_[{module, offsets[index]}] = symbol;
        }
    }
}

std::size_t OfflineSymbolizer::symbolize(Snapshot& snapshot) {
    std::map<std::string, std::string> build_id_by_module;
    for (const auto& module : snapshot.modules) build_id_by_module.emplace(module.path, module.build_id);

    std::vector<Frame*> pending;
    auto collect = [&](Stack& stack) {
        for (auto& frame : stack) {
            if (frame.function) continue;
            auto build_id = build_id_by_module.find(frame.module);
            if (build_id == build_id_by_module.end() || !module_matches(frame.module, build_id->second)) continue;
            pending.push_back(&frame);
        }
    };
    for (auto& site : snapshot.leaks) collect(site.frames);
    for (auto& error : snapshot.errors)
        for (auto& named_stack : error.stacks) collect(named_stack.second);

    std::map<std::string, std::set<std::uint64_t>> missing;
    for (const Frame* frame : pending)
        if (!cache_.count({frame->module, frame->module_offset})) missing[frame->module].insert(frame->module_offset);
    for (const auto& [module, offsets] : missing)
        resolve(module, build_id_by_module[module], {offsets.begin(), offsets.end()});

    std::size_t symbolized = 0;
    for (Frame* frame : pending) {
        const Symbol& symbol = cache_[{frame->module, frame->module_offset}];
        if (!symbol.function) continue;
        frame->function = symbol.function;
        frame->file = symbol.file;
        frame->line = symbol.line;
        ++symbolized;
    }
    return symbolized;
}

}  // namespace leakview
