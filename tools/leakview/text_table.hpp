// A plain aligned table for terminal output: numeric columns right-aligned, text left,
// widths from the widest cell. Rows may carry detail lines printed under them unaligned.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace leakview {

class TextTable {
public:
    enum class Align { left, right };
    struct Column {
        std::string title;
        Align align = Align::left;
    };

    explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

    // `styles` wrap each cell (e.g. ANSI colour) without counting towards its width.
    void add_row(std::vector<std::string> cells, std::vector<std::string> details = {},
                 std::string style_begin = "", std::string style_end = "");
    void write(std::ostream& out, const std::string& indent) const;

private:
    struct Row {
        std::vector<std::string> cells;
        std::vector<std::string> details;
        std::string style_begin, style_end;
    };
    std::vector<Column> columns_;
    std::vector<Row> rows_;
};

}  // namespace leakview
