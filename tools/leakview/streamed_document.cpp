#include "streamed_document.hpp"

namespace leakview {

StreamedDocument::StreamedDocument(std::set<std::string> streamed_arrays, ArrayStart on_array_start,
                                   ElementVisitor on_element)
    : streamed_arrays_(std::move(streamed_arrays)),
      on_array_start_(std::move(on_array_start)),
      on_element_(std::move(on_element)) {}

void StreamedDocument::parse(const std::string& text) {
    root_ = nullptr;
    open_.clear();
    streaming_ = false;
    nlohmann::json::sax_parse(text, this);
}

nlohmann::json* StreamedDocument::add_value(nlohmann::json value) {
    if (at_element_level()) {
        element_ = std::move(value);
        return &element_;
    }
    if (open_.empty()) {
        root_ = std::move(value);
        return &root_;
    }
    nlohmann::json& container = *open_.back();
    if (container.is_array()) {
        container.push_back(std::move(value));
        return &container.back();
    }
    *object_member_ = std::move(value);
    return object_member_;
}

// A value just completed at the current depth: an element of a streamed array is handed
// over here, once it is whole.
void StreamedDocument::value_finished() {
    if (!at_element_level()) return;
    on_element_(streamed_name_, element_index_++, element_);
    element_ = nullptr;
}

bool StreamedDocument::add_scalar(nlohmann::json value) {
    add_value(std::move(value));
    value_finished();
    return true;
}

bool StreamedDocument::start_object(std::size_t) {
    open_.push_back(add_value(nlohmann::json::object()));
    return true;
}

bool StreamedDocument::key(std::string& name) {
    if (open_.size() == 1) root_key_ = name;
    object_member_ = &(*open_.back())[name];
    return true;
}

bool StreamedDocument::start_array(std::size_t) {
    bool streamed_member = !streaming_ && open_.size() == 1 && open_.back()->is_object() &&
                           streamed_arrays_.count(root_key_) != 0;
    if (streamed_member) {
        *object_member_ = nlohmann::json::array();  // stays empty: elements go to the visitor
        streaming_ = true;
        streamed_name_ = root_key_;
        element_index_ = 0;
        on_array_start_(streamed_name_);
        return true;
    }
    open_.push_back(add_value(nlohmann::json::array()));
    return true;
}

bool StreamedDocument::end_array() {
    if (at_element_level()) {  // the streamed array itself closes
        streaming_ = false;
        return true;
    }
    return end_container();
}

bool StreamedDocument::end_container() {
    open_.pop_back();
    value_finished();
    return true;
}

}  // namespace leakview
