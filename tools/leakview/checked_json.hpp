// Checked access to a parsed JSON value: every accessor either returns a value of the
// expected type or throws InputError naming the file, the JSON path and the problem.
// The snapshot readers are written only against this, so no field is read unchecked.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakview {

class CheckedJson {
public:
    CheckedJson(const nlohmann::json& value, std::string path, const std::string& file);

    const std::string& path() const { return path_; }
    bool is_null() const { return value_->is_null(); }
    const nlohmann::json& raw() const { return *value_; }

    // A required member of an object.
    CheckedJson member(std::string_view name) const;
    // A member that may be absent; absent and null both give nullopt.
    std::optional<CheckedJson> optional_member(std::string_view name) const;
    bool has_member(std::string_view name) const;

    std::vector<CheckedJson> elements() const;  // array elements
    void for_each_member(const std::function<void(const std::string&, const CheckedJson&)>&
                             visit) const;  // object members

    std::string as_string() const;
    std::string_view as_string_view() const;  // valid while the JSON value lives
    std::uint64_t as_unsigned() const;
    std::int64_t as_integer() const;
    bool as_bool() const;
    std::uint64_t as_address() const;  // "0x…" hex string
    std::string as_one_of(const std::vector<std::string_view>& allowed) const;

    [[noreturn]] void fail(const std::string& problem) const;

private:
    void expect_object() const;
    const char* type_name() const;

    const nlohmann::json* value_;
    std::string path_;
    const std::string* file_;
};

}  // namespace leakview
