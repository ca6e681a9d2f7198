// --format folded: `outer;inner bytes` lines for flamegraph.pl / speedscope. Summary: the
// bytes of every site of the listed kinds (not only the top N); diff: growth only (new and grown sites, by their byte growth); gate: the
// sites counted against the limits. Identical stacks are added up; lines sorted.
#include <map>

#include "frames.hpp"
#include "output_format.hpp"

namespace leakview {
namespace {

std::string folded_stack(const LeakSite& site) {
    std::string stack;
    for (const auto& label : site_stack_labels(site)) {
        if (!stack.empty()) stack += ';';
        for (char character : label) stack += (character == ';' || character == '\n') ? ',' : character;
    }
    return stack;
}

void write_lines(const std::map<std::string, std::uint64_t>& bytes_by_stack, std::ostream& out) {
    for (const auto& [stack, bytes] : bytes_by_stack)
        if (bytes > 0) out << stack << ' ' << bytes << '\n';
}

class FoldedFormat final : public OutputFormat {
public:
    void write_summary(const SummaryReport& report, std::ostream& out) const override {
        std::map<std::string, std::uint64_t> bytes_by_stack;
        for (const LeakSite* site : report.sites) bytes_by_stack[folded_stack(*site)] += site->bytes;
        write_lines(bytes_by_stack, out);
    }
    void write_diff(const DiffReport& report, std::ostream& out) const override {
        std::map<std::string, std::uint64_t> bytes_by_stack;
        for (const auto& entry : report.sites)
            if (entry.delta_bytes > 0)
                bytes_by_stack[folded_stack(entry.site())] += static_cast<std::uint64_t>(entry.delta_bytes);
        write_lines(bytes_by_stack, out);
    }
    void write_gate(const GateReport& report, std::ostream& out) const override {
        std::map<std::string, std::uint64_t> bytes_by_stack;
        for (const auto& entry : report.counted) bytes_by_stack[folded_stack(*entry.site)] += entry.counted_bytes;
        write_lines(bytes_by_stack, out);
    }
};

}  // namespace

std::unique_ptr<OutputFormat> make_folded_format() { return std::make_unique<FoldedFormat>(); }

}  // namespace leakview
