#include "crdt/update/content.hpp"

#include <string>
#include <type_traits>
#include <utility>

#include "crdt/lib0/error.hpp"
#include "crdt/lib0/json.hpp"
#include "crdt/lib0/utf.hpp"
#include "crdt/update/update_decoder.hpp"
#include "crdt/update/update_encoder.hpp"

namespace zeal::crdt {

namespace {

constexpr char16_t replacement_char = 0xFFFD;

bool is_high_surrogate(char16_t c) {
  return c >= 0xD800 && c <= 0xDBFF;
}

/// JS truthiness of a value (Boolean(v)).
bool js_truthy(const lib0::any& v) {
  return std::visit(
      [](const auto& x) -> bool {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, lib0::undefined_t> || std::is_same_v<T, lib0::null_t>) {
          return false;
        } else if constexpr (std::is_same_v<T, bool>) {
          return x;
        } else if constexpr (std::is_same_v<T, double>) {
          return x == x && x != 0;  // NaN, 0 and -0 are falsy
        } else if constexpr (std::is_same_v<T, std::string>) {
          return !x.empty();
        } else if constexpr (std::is_same_v<T, lib0::bigint>) {
          return x.value != 0;
        } else {
          return true;  // objects, arrays, Uint8Array
        }
      },
      v.value());
}

/// The options Yjs's ContentDoc re-derives from a Doc created from `opts` (createDocFromOpts, then the
/// ContentDoc constructor): only gc:false, autoLoad:true and meta survive, in that order.
lib0::any normalize_doc_opts(const lib0::any& opts) {
  lib0::any::object out;
  if (opts.is_object()) {
    // new Doc({ gc = true, autoLoad = false, meta = null }): defaults apply to undefined only.
    if (const auto* gc = opts.find("gc"); gc != nullptr && !gc->is_undefined() && !js_truthy(*gc)) {
      out.emplace_back("gc", false);
    }
    if (const auto* al = opts.find("autoLoad"); al != nullptr && js_truthy(*al)) {
      out.emplace_back("autoLoad", true);
    }
    if (const auto* meta = opts.find("meta"); meta != nullptr && !meta->is_undefined() && !meta->is_null()) {
      out.emplace_back("meta", *meta);
    }
  }
  return lib0::any::make_object(std::move(out));
}

template <class T>
void append_values(std::vector<T>& left, const std::vector<T>& right) {
  left.insert(left.end(), right.begin(), right.end());
}

}  // namespace

content_ref content::ref() const {
  return static_cast<content_ref>(v_.index() + 1);
}

std::uint64_t content::length() const {
  return std::visit(
      [](const auto& c) -> std::uint64_t {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, content_deleted>) {
          return c.length;
        } else if constexpr (std::is_same_v<T, content_string>) {
          return c.text.size();
        } else if constexpr (std::is_same_v<T, content_json> || std::is_same_v<T, content_any>) {
          return c.values.size();
        } else {
          return 1;
        }
      },
      v_);
}

bool content::countable() const {
  return !std::holds_alternative<content_deleted>(v_) && !std::holds_alternative<content_format>(v_);
}

bool content::splittable() const {
  return std::holds_alternative<content_deleted>(v_) || std::holds_alternative<content_json>(v_) ||
         std::holds_alternative<content_string>(v_) || std::holds_alternative<content_any>(v_);
}

content content::split(std::uint64_t offset) {
  if (auto* d = get_if<content_deleted>()) {
    content_deleted right{d->length - offset};
    d->length = offset;
    return right;
  }
  if (auto* s = get_if<content_string>()) {
    // ContentString.splice: a split right after a high surrogate replaces both halves with U+FFFD.
    content_string right{s->text.substr(offset)};
    s->text.resize(offset);
    if (offset > 0 && is_high_surrogate(s->text[offset - 1])) {
      s->text[offset - 1] = replacement_char;
      if (right.text.empty()) {
        right.text.push_back(replacement_char);
      } else {
        right.text[0] = replacement_char;
      }
    }
    return right;
  }
  if (auto* j = get_if<content_json>()) {
    content_json right{{j->values.begin() + static_cast<std::ptrdiff_t>(offset), j->values.end()}};
    j->values.resize(offset);
    return right;
  }
  if (auto* a = get_if<content_any>()) {
    content_any right{{a->values.begin() + static_cast<std::ptrdiff_t>(offset), a->values.end()}};
    a->values.resize(offset);
    return right;
  }
  // Yjs throws methodUnimplemented for the other contents; callers check splittable() first.
  return content_deleted{0};
}

bool content::try_merge(const content& right) {
  if (v_.index() != right.v_.index()) return false;
  if (auto* d = get_if<content_deleted>()) {
    d->length += right.get_if<content_deleted>()->length;
    return true;
  }
  if (auto* s = get_if<content_string>()) {
    s->text += right.get_if<content_string>()->text;
    return true;
  }
  if (auto* j = get_if<content_json>()) {
    append_values(j->values, right.get_if<content_json>()->values);
    return true;
  }
  if (auto* a = get_if<content_any>()) {
    append_values(a->values, right.get_if<content_any>()->values);
    return true;
  }
  return false;
}

void content::write(update_encoder& enc, std::uint64_t offset) const {
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, content_deleted>) {
          enc.write_len(c.length - offset);
        } else if constexpr (std::is_same_v<T, content_json>) {
          enc.write_len(c.values.size() - offset);
          for (std::size_t i = offset; i < c.values.size(); ++i) {
            // `c === undefined ? 'undefined' : JSON.stringify(c)`; to_json writes "undefined" at top level.
            enc.write_string(lib0::to_json(c.values[i]));
          }
        } else if constexpr (std::is_same_v<T, content_binary>) {
          enc.write_buf(c.data);
        } else if constexpr (std::is_same_v<T, content_string>) {
          // str.slice(offset): an offset inside a surrogate pair leaves a lone surrogate → U+FFFD.
          std::u16string_view text(c.text);
          enc.write_string_utf16(offset == 0 ? text : text.substr(offset));
        } else if constexpr (std::is_same_v<T, content_embed>) {
          enc.write_json(c.value);
        } else if constexpr (std::is_same_v<T, content_format>) {
          enc.write_key(c.key);
          enc.write_json(c.value);
        } else if constexpr (std::is_same_v<T, content_type>) {
          enc.write_type_ref(static_cast<std::uint8_t>(c.ref));
          if (c.ref == type_ref::xml_element || c.ref == type_ref::xml_hook) enc.write_key(c.name);
        } else if constexpr (std::is_same_v<T, content_any>) {
          enc.write_len(c.values.size() - offset);
          for (std::size_t i = offset; i < c.values.size(); ++i) enc.write_any(c.values[i]);
        } else if constexpr (std::is_same_v<T, content_doc>) {
          enc.write_string(c.guid);
          enc.write_any(normalize_doc_opts(c.opts));
        }
      },
      v_);
}

content content::read(update_decoder& dec, std::uint8_t ref) {
  switch (static_cast<content_ref>(ref)) {
    case content_ref::deleted:
      return content_deleted{dec.read_len()};
    case content_ref::json: {
      const auto at = dec.rest().offset();
      const auto n = dec.read_len();
      // v1: every text takes at least its length byte in the one stream. v2 texts live in the string
      // column; each needs at least one byte there ("" is not JSON), so the loop is bounded by the input.
      if (dec.format() == update_format::v1 && n > dec.rest().remaining()) {
        throw decode_error("JSON content count " + std::to_string(n) + " exceeds the input", at);
      }
      content_json c;
      for (std::uint64_t i = 0; i < n; ++i) {
        const auto text_at = dec.rest().offset();
        auto text = dec.read_string();
        if (text == "undefined") {
          c.values.emplace_back(lib0::undefined_t{});
          continue;
        }
        auto parsed = lib0::parse_json(text);
        if (!parsed) throw decode_error("invalid JSON content: " + parsed.err().message, text_at);
        c.values.push_back(std::move(parsed).value());
      }
      return c;
    }
    case content_ref::binary:
      return content_binary{dec.read_buf()};
    case content_ref::string:
      return content_string{dec.read_string_utf16()};
    case content_ref::embed:
      return content_embed{dec.read_json()};
    case content_ref::format: {
      content_format c;
      c.key = dec.read_key();
      c.value = dec.read_json();
      return c;
    }
    case content_ref::type: {
      const auto at = dec.rest().offset();
      const auto t = dec.read_type_ref();
      if (t > static_cast<std::uint8_t>(type_ref::xml_text)) {
        throw decode_error("unknown type ref " + std::to_string(t), at);
      }
      content_type c;
      c.ref = static_cast<type_ref>(t);
      if (c.ref == type_ref::xml_element || c.ref == type_ref::xml_hook) c.name = dec.read_key();
      return c;
    }
    case content_ref::any: {
      const auto at = dec.rest().offset();
      const auto n = dec.read_len();
      // Every Any value takes at least its tag byte in the rest stream (v1 and v2).
      if (n > dec.rest().remaining()) {
        throw decode_error("Any content count " + std::to_string(n) + " exceeds the input", at);
      }
      content_any c;
      c.values.reserve(n);
      for (std::uint64_t i = 0; i < n; ++i) c.values.push_back(dec.read_any());
      return c;
    }
    case content_ref::doc: {
      content_doc c;
      c.guid = dec.read_string();
      const auto at = dec.rest().offset();
      auto opts = dec.read_any();
      // createDocFromOpts reads opts.shouldLoad: Yjs throws on null/undefined options.
      if (opts.is_null() || opts.is_undefined())
        throw decode_error("subdocument options are not an object", at);
      // { guid, ...opts }: a string guid inside the options wins.
      if (const auto* g = opts.find("guid"); g != nullptr && g->is_string()) c.guid = g->as_string();
      c.opts = normalize_doc_opts(opts);
      return c;
    }
  }
  throw decode_error("unknown content ref " + std::to_string(ref), dec.rest().offset());
}

}  // namespace zeal::crdt
