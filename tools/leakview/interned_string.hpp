// Shared, immutable strings for the names that repeat across a snapshot's stacks (module
// paths, file names, function names). A large snapshot names a few thousand distinct
// functions in millions of frames; storing each name once keeps the loaded snapshot a
// fraction of the file's size. Copies share the text; the text lives as long as any copy.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace leakview {

// Always holds a string (empty by default). Reads like a `const std::string&`.
class InternedString {
public:
    InternedString() : text_(empty_text()) {}
    InternedString(std::string text) : text_(std::make_shared<const std::string>(std::move(text))) {}
    InternedString(const char* text) : InternedString(std::string(text)) {}
    explicit InternedString(std::shared_ptr<const std::string> shared) : text_(std::move(shared)) {}

    operator const std::string&() const { return *text_; }
    const std::string& str() const { return *text_; }
    bool empty() const { return text_->empty(); }

    friend bool operator==(const InternedString& a, const InternedString& b) {
        return a.text_ == b.text_ || *a.text_ == *b.text_;
    }
    friend bool operator==(const InternedString& a, std::string_view b) { return *a.text_ == b; }
    friend auto operator<=>(const InternedString& a, const InternedString& b) { return *a.text_ <=> *b.text_; }

private:
    static const std::shared_ptr<const std::string>& empty_text() {
        static const auto empty = std::make_shared<const std::string>();
        return empty;
    }
    std::shared_ptr<const std::string> text_;
};

// A string that may be absent, with the reading interface of std::optional<std::string>
// (`if (name)`, `*name`, `name->size()`) in the size of one shared pointer.
class OptionalInternedString {
public:
    OptionalInternedString() = default;
    OptionalInternedString(std::nullopt_t) {}
    OptionalInternedString(InternedString text) : text_(std::move(text)) {}
    OptionalInternedString(std::string text) : text_(InternedString(std::move(text))) {}
    OptionalInternedString(const char* text) : text_(InternedString(text)) {}
    OptionalInternedString(const std::optional<std::string>& text) {
        if (text) text_ = InternedString(*text);
    }

    explicit operator bool() const { return text_.has_value(); }
    bool has_value() const { return text_.has_value(); }
    const std::string& operator*() const { return text_->str(); }
    const std::string* operator->() const { return &text_->str(); }
    const std::string& value() const { return text_.value().str(); }
    std::string value_or(std::string fallback) const { return text_ ? text_->str() : fallback; }

    friend bool operator==(const OptionalInternedString& a, const OptionalInternedString& b) {
        return a.text_ == b.text_;
    }
    friend bool operator==(const OptionalInternedString& a, std::string_view b) { return a && *a == b; }

private:
    std::optional<InternedString> text_;
};

// Hands out one shared copy per distinct text. One interner serves one load; the strings
// it handed out stay valid after it is gone.
class StringInterner {
public:
    InternedString intern(std::string_view text) {
        auto found = texts_.find(text);
        if (found != texts_.end()) return InternedString(*found);
        auto shared = std::make_shared<const std::string>(text);
        texts_.insert(shared);
        return InternedString(std::move(shared));
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
        std::size_t operator()(const std::shared_ptr<const std::string>& text) const { return (*this)(*text); }
    };
    struct Equal {
        using is_transparent = void;
        static std::string_view view(std::string_view text) { return text; }
        static std::string_view view(const std::shared_ptr<const std::string>& text) { return *text; }
        bool operator()(const auto& a, const auto& b) const { return view(a) == view(b); }
    };
    std::unordered_set<std::shared_ptr<const std::string>, Hash, Equal> texts_;
};

}  // namespace leakview
