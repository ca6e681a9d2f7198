// "+5", "-3", "0": deltas are always shown with their sign.
#pragma once

#include <cstdint>
#include <string>

namespace leakview {

inline std::string signed_text(std::int64_t value) {
    std::string text = std::to_string(value);
    if (value > 0) text.insert(text.begin(), '+');
    return text;
}

}  // namespace leakview
