#include "frames.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace leakview {
namespace {

constexpr std::array<std::string_view, 7> kRuntimeModulePrefixes = {
    "libospdebug", "libosp.", "libosp_", "libc.so", "libc-", "libstdc++", "ld-linux"};
constexpr std::array<std::string_view, 12> kRuntimeFunctionPrefixes = {
    "osp::",        "os_memory::",  "osp_",           "operator new",
    "operator delete", "__libc_",   "__gnu_cxx::new_allocator", "std::__new_allocator",
    "std::allocator<", "std::allocator_traits<", "_start", "__GI_"};
constexpr std::array<std::string_view, 10> kAllocatorFunctions = {
    "malloc", "calloc", "realloc", "reallocarray", "free",
    "aligned_alloc", "posix_memalign", "memalign", "valloc", "pvalloc"};

bool starts_with_any(std::string_view text, const auto& prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](std::string_view prefix) { return text.starts_with(prefix); });
}

}  // namespace

std::string basename_of(const std::string& path) {
    auto slash = path.find_last_of("/\\");  // Windows snapshots have '\\' paths
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_runtime_frame(const Frame& frame) {
    if (starts_with_any(basename_of(frame.module), kRuntimeModulePrefixes)) return true;
    if (!frame.function) return false;
    const std::string& function = *frame.function;
    if (starts_with_any(function, kRuntimeFunctionPrefixes)) return true;
    return std::find(kAllocatorFunctions.begin(), kAllocatorFunctions.end(), function) !=
           kAllocatorFunctions.end();
}

std::vector<const Frame*> user_frames(const Stack& stack) {
    std::vector<const Frame*> result;
    for (const auto& frame : stack)
        if (!is_runtime_frame(frame)) result.push_back(&frame);
    return result;
}

std::string frame_label(const Frame& frame) {
    if (frame.function) return *frame.function;
    return basename_of(frame.module) + "+" + format_address(frame.module_offset);
}

std::string frame_location(const Frame& frame) {
    if (!frame.file) return "";
    if (!frame.line) return *frame.file;
    return *frame.file + ":" + std::to_string(*frame.line);
}

std::string site_title(const LeakSite& site) {
    auto frames = user_frames(site.frames);
    if (!frames.empty()) return frame_label(*frames.front());
    if (site.origin) return "ALLOCATE at " + site.origin->file + ":" + std::to_string(site.origin->line);
    if (!site.frames.empty()) return frame_label(site.frames.front());
    return "(no stack)";
}

SourceLocation site_source_location(const LeakSite& site) {
    for (const Frame* frame : user_frames(site.frames))
        if (frame->file) return {*frame->file, frame->line.value_or(0)};
    if (site.origin) return {site.origin->file, site.origin->line};
    return {};
}

std::vector<std::string> site_stack_labels(const LeakSite& site) {
    std::vector<std::string> labels;
    auto frames = user_frames(site.frames);
    for (auto frame = frames.rbegin(); frame != frames.rend(); ++frame) labels.push_back(frame_label(**frame));
    if (labels.empty()) labels.push_back(site_title(site));
    return labels;
}

}  // namespace leakview
