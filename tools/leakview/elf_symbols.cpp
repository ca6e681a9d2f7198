#include "elf_symbols.hpp"

#include <cxxabi.h>
#include <elf.h>
#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>

#include "elf_build_id.hpp"
#include "elf_file.hpp"

namespace leakview {
namespace {

unsigned binding_preference(unsigned binding) {
    if (binding == STB_GLOBAL) return 0;
    if (binding == STB_WEAK) return 1;
    return 2;
}

template <typename Sym>
void add_table(ElfFile& file, const ElfSection& table, auto&& add) {
    if (table.entry_size != sizeof(Sym) || table.link >= file.sections().size()) return;
    auto symbols = file.read(table);
    auto names = file.read(file.sections()[table.link]);
    if (!symbols || !names || names->empty()) return;
    const unsigned table_preference = table.type == SHT_DYNSYM ? 0 : 4;
    for (std::size_t at = 0; at + sizeof(Sym) <= symbols->size(); at += sizeof(Sym)) {
        Sym symbol;
        std::memcpy(&symbol, symbols->data() + at, sizeof symbol);
        // ELF32_ST_TYPE and ELF64_ST_TYPE are the same macro; so are the _BIND ones.
        const unsigned type = ELF64_ST_TYPE(symbol.st_info);
        if (type != STT_FUNC && type != STT_GNU_IFUNC) continue;
        if (symbol.st_shndx == SHN_UNDEF || symbol.st_size == 0 || symbol.st_name == 0) continue;
        if (symbol.st_name >= names->size() || symbol.st_value + symbol.st_size < symbol.st_value) continue;
        add(symbol.st_value, symbol.st_value + symbol.st_size,
            table_preference + binding_preference(ELF64_ST_BIND(symbol.st_info)),
            std::string(names->c_str() + symbol.st_name));
    }
}

bool same_build(const std::string& path, const std::string& build_id) {
    auto on_disk = read_elf_build_id(path);
    return on_disk && *on_disk == build_id;
}

}  // namespace

bool FunctionSymbols::add_file(const std::string& path) {
    ElfFile file;
    if (!file.open(path)) return false;
    auto add = [this](std::uint64_t start, std::uint64_t end, unsigned preference, std::string name) {
        symbols_.push_back({start, end, preference, std::move(name)});
    };
    for (const auto& section : file.sections()) {
        if (section.type != SHT_SYMTAB && section.type != SHT_DYNSYM) continue;
        if (file.is_64_bit())
            add_table<Elf64_Sym>(file, section, add);
        else
            add_table<Elf32_Sym>(file, section, add);
    }
    sorted_ = false;
    return true;
}

void FunctionSymbols::sort() {
    std::sort(symbols_.begin(), symbols_.end(),
              [](const Symbol& left, const Symbol& right) { return left.start < right.start; });
    greatest_end_so_far_.resize(symbols_.size());
    std::uint64_t greatest = 0;
    for (std::size_t index = 0; index < symbols_.size(); ++index) {
        greatest = std::max(greatest, symbols_[index].end);
        greatest_end_so_far_[index] = greatest;
    }
    sorted_ = true;
}

std::optional<std::string> FunctionSymbols::find(std::uint64_t address) {
    if (!sorted_) sort();
    // Walk back from the last symbol starting at or before the address while an earlier
    // one could still reach it; keep the smallest that contains it.
    auto after = std::upper_bound(symbols_.begin(), symbols_.end(), address,
                                  [](std::uint64_t value, const Symbol& symbol) { return value < symbol.start; });
    const Symbol* best = nullptr;
    for (auto index = static_cast<std::size_t>(after - symbols_.begin()); index > 0; --index) {
        const Symbol& candidate = symbols_[index - 1];
        if (greatest_end_so_far_[index - 1] <= address) break;
        if (address >= candidate.end) continue;
        const std::uint64_t size = candidate.end - candidate.start;
        if (best == nullptr || size < best->end - best->start ||
            (size == best->end - best->start && candidate.preference < best->preference))
            best = &candidate;
    }
    if (best == nullptr) return std::nullopt;
    return best->name;
}

std::optional<std::string> read_debuglink(const std::string& path) {
    ElfFile file;
    if (!file.open(path)) return std::nullopt;
    const ElfSection* section = file.find(".gnu_debuglink");
    if (section == nullptr) return std::nullopt;
    auto bytes = file.read(*section, 1 << 16);
    if (!bytes) return std::nullopt;
    std::string name(bytes->c_str());
    // A bare file name; one with a directory part is not followed.
    if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
    return name;
}

std::optional<std::string> find_debug_file(const std::string& module_path, const std::string& build_id,
                                           const std::vector<std::string>& debug_roots) {
    if (build_id.size() < 4) return std::nullopt;
    std::error_code error;
    auto exists = [&error](const std::string& path) { return std::filesystem::is_regular_file(path, error); };
    for (const auto& root : debug_roots) {
        std::string path = root + "/.build-id/" + build_id.substr(0, 2) + "/" + build_id.substr(2) + ".debug";
        if (exists(path) && same_build(path, build_id)) return path;
    }
    auto link = read_debuglink(module_path);
    if (!link) return std::nullopt;
    std::filesystem::path resolved = std::filesystem::canonical(module_path, error);
    if (error) resolved = module_path;
    const std::string directory = resolved.parent_path().string();
    std::vector<std::string> candidates = {directory + "/" + *link, directory + "/.debug/" + *link};
    for (const auto& root : debug_roots) candidates.push_back(root + directory + "/" + *link);
    for (const auto& candidate : candidates) {
        // A debuglink naming the module itself (never stripped) adds nothing.
        if (!exists(candidate) || std::filesystem::equivalent(candidate, resolved, error)) continue;
        if (same_build(candidate, build_id)) return candidate;
    }
    return std::nullopt;
}

std::string display_symbol_name(const std::string& name) {
    std::string plain = name.substr(0, name.find('@'));
    if (plain.rfind("_Z", 0) != 0) return plain;
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> demangled(abi::__cxa_demangle(plain.c_str(), nullptr, nullptr, &status),
                                                          &std::free);
    return status == 0 && demangled ? std::string(demangled.get()) : plain;
}

}  // namespace leakview
