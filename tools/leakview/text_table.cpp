#include "text_table.hpp"

#include <algorithm>

namespace leakview {

void TextTable::add_row(std::vector<std::string> cells, std::vector<std::string> details,
                        std::string style_begin, std::string style_end) {
    cells.resize(columns_.size());
    rows_.push_back({std::move(cells), std::move(details), std::move(style_begin), std::move(style_end)});
}

void TextTable::write(std::ostream& out, const std::string& indent) const {
    std::vector<std::size_t> widths;
    for (const auto& column : columns_) widths.push_back(column.title.size());
    for (const auto& row : rows_)
        for (std::size_t index = 0; index < columns_.size(); ++index)
            widths[index] = std::max(widths[index], row.cells[index].size());

    auto write_cells = [&](const std::vector<std::string>& cells) {
        std::string line = indent;
        for (std::size_t index = 0; index < columns_.size(); ++index) {
            const std::string& cell = cells[index];
            std::string padding(widths[index] - cell.size(), ' ');
            bool last = index + 1 == columns_.size();
            if (columns_[index].align == Align::right) line += padding + cell;
            else line += cell + (last ? "" : padding);
            if (!last) line += "  ";
        }
        return line;
    };
    std::vector<std::string> titles;
    for (const auto& column : columns_) titles.push_back(column.title);
    out << write_cells(titles) << '\n';
    for (const auto& row : rows_) {
        out << row.style_begin << write_cells(row.cells) << row.style_end << '\n';
        for (const auto& detail : row.details) out << indent << "    " << detail << '\n';
    }
}

}  // namespace leakview
