#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "crdt/lib0/any.hpp"
#include "crdt/lib0/bytes.hpp"

namespace zeal::crdt {

class update_encoder;
class update_decoder;
class branch;  // a shared type's state inside a document (crdt/doc); null outside documents

/// Content refs as on the wire (info byte low 5 bits). 0 = GC and 10 = Skip are structs, not contents.
enum class content_ref : std::uint8_t {
  deleted = 1,
  json = 2,
  binary = 3,
  string = 4,
  embed = 5,
  format = 6,
  type = 7,
  any = 8,
  doc = 9
};

/// Type refs of ContentType.
enum class type_ref : std::uint8_t {
  array = 0,
  map = 1,
  text = 2,
  xml_element = 3,
  xml_fragment = 4,
  xml_hook = 5,
  xml_text = 6
};

struct content_deleted {
  std::uint64_t length = 0;
};
/// Legacy JSON content: one value per element (`undefined` allowed).
struct content_json {
  std::vector<lib0::any> values;
};
struct content_binary {
  bytes data;
};
/// Text, kept as UTF-16 so that lengths and split offsets are Yjs's.
struct content_string {
  std::u16string text;
};
struct content_embed {
  lib0::any value;
};
struct content_format {
  std::string key;
  lib0::any value;
};
/// A nested shared type. `name` is the XML node name (xml_element) or hook name (xml_hook).
struct content_type {
  type_ref ref = type_ref::array;
  std::string name;
  std::shared_ptr<crdt::branch> inner;  // set by the document on integration
};
struct content_any {
  std::vector<lib0::any> values;
};
/// A subdocument, kept as data: its guid and options.
struct content_doc {
  std::string guid;
  lib0::any opts;
};

/// One item's content (Yjs AbstractContent and its nine subclasses).
class content {
 public:
  using value_type = std::variant<content_deleted, content_json, content_binary, content_string,
                                  content_embed, content_format, content_type, content_any, content_doc>;

  content() = default;
  template <class T>
  content(T v) : v_(std::move(v)) {}  // NOLINT(google-explicit-constructor)

  content_ref ref() const;
  /// Yjs getLength(): UTF-16 units for strings, element count for JSON/Any, deleted length, else 1.
  std::uint64_t length() const;
  /// Yjs isCountable(): false for Deleted and Format.
  bool countable() const;
  /// Only String, Any, JSON and Deleted split and merge.
  bool splittable() const;
  /// Keeps [0, offset) and returns [offset, length). A String split inside a surrogate pair replaces both
  /// halves with U+FFFD. Precondition: splittable() and 0 < offset < length().
  content split(std::uint64_t offset);
  /// Appends `right` to *this if both are the same mergeable kind; returns whether it did.
  bool try_merge(const content& right);
  /// Writes the content from `offset` on (Yjs content.write(encoder, offset)).
  void write(update_encoder& enc, std::uint64_t offset) const;
  /// Reads the content for `ref` (1..9); throws decode_error on anything else or malformed data.
  static content read(update_decoder& dec, std::uint8_t ref);

  const value_type& value() const { return v_; }
  value_type& value() { return v_; }
  template <class T>
  const T* get_if() const {
    return std::get_if<T>(&v_);
  }
  template <class T>
  T* get_if() {
    return std::get_if<T>(&v_);
  }

 private:
  value_type v_;
};

}  // namespace zeal::crdt
