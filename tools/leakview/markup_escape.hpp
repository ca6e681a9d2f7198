// Escaping for XML (JUnit) and HTML text and attributes. Control characters that XML 1.0
// forbids are replaced, so any snapshot string gives a well-formed document.
#pragma once

#include <string>

namespace leakview {

inline std::string escape_markup(const std::string& text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (char character : text) {
        switch (character) {
            case '&': escaped += "&amp;"; break;
            case '<': escaped += "&lt;"; break;
            case '>': escaped += "&gt;"; break;
            case '"': escaped += "&quot;"; break;
            case '\'': escaped += "&apos;"; break;
            default:
                if (static_cast<unsigned char>(character) < 0x20 && character != '\n' && character != '\t')
                    escaped += '?';
                else
                    escaped += character;
        }
    }
    return escaped;
}

}  // namespace leakview
