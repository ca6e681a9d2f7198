// Parses a JSON document with nlohmann's SAX interface into a tree, except for the
// elements of chosen top-level arrays (a snapshot's "leaks", "errors", "modules"): those
// are built one at a time and handed to a callback, then dropped. The tree keeps each
// streamed array as an empty array, so type checks on it still see an array. Memory is
// the small rest of the document plus one element, however long the arrays are.
//
// Tree semantics match nlohmann::json::parse: objects keep the last of duplicate keys, and
// syntax errors throw nlohmann::json::parse_error with the same byte position.
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <type_traits>

namespace leakview {

class StreamedDocument {
public:
    // Called when a streamed array starts (again, for a duplicate key: start over).
    using ArrayStart = std::function<void(const std::string& array_name)>;
    // Called with each element of a streamed array, in order; may move from the element.
    using ElementVisitor =
        std::function<void(const std::string& array_name, std::size_t index, nlohmann::json& element)>;

    StreamedDocument(std::set<std::string> streamed_arrays, ArrayStart on_array_start,
                     ElementVisitor on_element);

    // Parses the whole text (throws nlohmann::json::parse_error on bad syntax).
    void parse(const std::string& text);
    // The document without the streamed elements; during parse, the part read so far.
    const nlohmann::json& tree() const { return root_; }

    // The nlohmann SAX interface.
    bool null() { return add_scalar(nullptr); }
    bool boolean(bool value) { return add_scalar(value); }
    bool number_integer(nlohmann::json::number_integer_t value) { return add_scalar(value); }
    bool number_unsigned(nlohmann::json::number_unsigned_t value) { return add_scalar(value); }
    bool number_float(nlohmann::json::number_float_t value, const std::string&) { return add_scalar(value); }
    bool string(std::string& value) { return add_scalar(std::move(value)); }
    bool binary(nlohmann::json::binary_t& value) { return add_scalar(nlohmann::json::binary(std::move(value))); }
    bool start_object(std::size_t);
    bool key(std::string& name);
    bool end_object() { return end_container(); }
    bool start_array(std::size_t);
    bool end_array();
    // Everything the parser rejects leaves as nlohmann's parse_error, with its position: a
    // number too big for a double comes as out_of_range, which the loader would not catch.
    template <class Exception>
    bool parse_error(std::size_t position, const std::string&, const Exception& error) {
        if constexpr (std::is_same_v<Exception, nlohmann::json::parse_error>) {
            throw error;
        } else {
            std::string reason = error.what();
            auto tag_end = reason.find("] ");
            if (tag_end != std::string::npos) reason.erase(0, tag_end + 2);
            throw nlohmann::json::parse_error::create(101, position, reason, nullptr);
        }
    }

private:
    bool add_scalar(nlohmann::json value);
    nlohmann::json* add_value(nlohmann::json value);
    bool end_container();
    void value_finished();
    bool at_element_level() const { return streaming_ && open_.size() == kStreamedArrayDepth; }

    static constexpr std::size_t kStreamedArrayDepth = 1;  // open containers: just the root

    std::set<std::string> streamed_arrays_;
    ArrayStart on_array_start_;
    ElementVisitor on_element_;

    nlohmann::json root_;
    std::vector<nlohmann::json*> open_;   // containers being filled, innermost last
    nlohmann::json* object_member_ = nullptr;  // where the next value of an object goes
    std::string root_key_;                 // the current member name of the root object

    bool streaming_ = false;
    std::string streamed_name_;
    std::size_t element_index_ = 0;
    nlohmann::json element_;
};

}  // namespace leakview
