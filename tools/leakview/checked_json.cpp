#include "checked_json.hpp"

#include <charconv>

#include "snapshot.hpp"

namespace leakview {

CheckedJson::CheckedJson(const nlohmann::json& value, std::string path, const std::string& file)
    : value_(&value), path_(std::move(path)), file_(&file) {}

void CheckedJson::fail(const std::string& problem) const { throw InputError(*file_, path_, problem); }

const char* CheckedJson::type_name() const {
    if (value_->is_number_integer()) return "an integer";
    if (value_->is_number_float()) return "a non-integer number";
    return value_->type_name();
}

void CheckedJson::expect_object() const {
    if (!value_->is_object()) fail(std::string("expected an object, found ") + type_name());
}

CheckedJson CheckedJson::member(std::string_view name) const {
    expect_object();
    auto found = value_->find(name);
    if (found == value_->end()) fail("missing member \"" + std::string(name) + "\"");
    return CheckedJson(*found, path_ + "." + std::string(name), *file_);
}

bool CheckedJson::has_member(std::string_view name) const {
    expect_object();
    return value_->contains(name);
}

std::optional<CheckedJson> CheckedJson::optional_member(std::string_view name) const {
    expect_object();
    auto found = value_->find(name);
    if (found == value_->end() || found->is_null()) return std::nullopt;
    return CheckedJson(*found, path_ + "." + std::string(name), *file_);
}

std::vector<CheckedJson> CheckedJson::elements() const {
    if (!value_->is_array()) fail(std::string("expected an array, found ") + type_name());
    std::vector<CheckedJson> result;
    result.reserve(value_->size());
    for (std::size_t index = 0; index < value_->size(); ++index)
        result.emplace_back((*value_)[index], path_ + "[" + std::to_string(index) + "]", *file_);
    return result;
}

void CheckedJson::for_each_member(
    const std::function<void(const std::string&, const CheckedJson&)>& visit) const {
    expect_object();
    for (auto item = value_->begin(); item != value_->end(); ++item)
        visit(item.key(), CheckedJson(item.value(), path_ + "." + item.key(), *file_));
}

std::string CheckedJson::as_string() const {
    if (!value_->is_string()) fail(std::string("expected a string, found ") + type_name());
    return value_->get<std::string>();
}

std::string_view CheckedJson::as_string_view() const {
    if (!value_->is_string()) fail(std::string("expected a string, found ") + type_name());
    return value_->get_ref<const std::string&>();
}

std::uint64_t CheckedJson::as_unsigned() const {
    if (value_->is_number_unsigned()) return value_->get<std::uint64_t>();
    if (value_->is_number_integer()) fail("expected a count (integer >= 0), found a negative number");
    fail(std::string("expected a count (integer >= 0), found ") + type_name());
}

std::int64_t CheckedJson::as_integer() const {
    if (value_->is_number_unsigned()) {
        auto value = value_->get<std::uint64_t>();
        if (value > static_cast<std::uint64_t>(INT64_MAX)) fail("integer out of range");
        return static_cast<std::int64_t>(value);
    }
    if (value_->is_number_integer()) return value_->get<std::int64_t>();
    fail(std::string("expected an integer, found ") + type_name());
}

bool CheckedJson::as_bool() const {
    if (!value_->is_boolean()) fail(std::string("expected true or false, found ") + type_name());
    return value_->get<bool>();
}

std::uint64_t CheckedJson::as_address() const {
    if (!value_->is_string())
        fail(std::string("expected an address as a \"0x…\" hex string, found ") + type_name());
    const auto& text = value_->get_ref<const std::string&>();
    if (text.size() < 3 || text.size() > 18 || text.compare(0, 2, "0x") != 0)
        fail("expected an address as a \"0x…\" hex string of 1 to 16 digits, found \"" + text + "\"");
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data() + 2, text.data() + text.size(), value, 16);
    if (error != std::errc() || end != text.data() + text.size())
        fail("\"" + text + "\" is not a hex address");
    return value;
}

std::string CheckedJson::as_one_of(const std::vector<std::string_view>& allowed) const {
    std::string text = as_string();
    for (auto candidate : allowed)
        if (text == candidate) return text;
    std::string list;
    for (auto candidate : allowed) list += (list.empty() ? "" : ", ") + std::string(candidate);
    fail("\"" + text + "\" is not one of: " + list);
}

}  // namespace leakview
