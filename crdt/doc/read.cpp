// Reading the document: types as Any / JSON / XML strings / text deltas (Yjs toJSON, toString, toDelta).
#include "crdt/doc/read.hpp"

#include <algorithm>

#include "crdt/doc/doc_impl.hpp"
#include "crdt/lib0/json.hpp"
#include "crdt/lib0/utf.hpp"

namespace zeal::crdt {

namespace {

constexpr int max_depth = 1000;

std::string base64(const bytes& data) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (i + 1 == data.size()) {
    std::uint32_t v = data[i] << 16;
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

bool is_xml_child(const item* n) {
  const auto* ct = n->content.get_if<content_type>();
  return ct != nullptr && (ct->ref == type_ref::xml_element || ct->ref == type_ref::xml_text);
}

}  // namespace

render_kind kind_of(const branch* b) {
  if (b->typed) {
    switch (b->ref) {
      case type_ref::array:
        return render_kind::array;
      case type_ref::map:
        return render_kind::map;
      case type_ref::text:
        return render_kind::text;
      case type_ref::xml_element:
        return render_kind::xml_element;
      case type_ref::xml_fragment:
        return render_kind::xml_fragment;
      case type_ref::xml_hook:
        return render_kind::xml_hook;
      case type_ref::xml_text:
        return render_kind::xml_text;
    }
  }
  // Untyped root: infer from the content.
  for (const auto& [key, it] : b->map) {
    if (!it->deleted()) return render_kind::map;
  }
  bool any_list = false;
  bool all_xml = true;
  for (const item* n = b->start; n != nullptr; n = n->right) {
    if (n->deleted()) continue;
    content_ref r = n->content.ref();
    if (r == content_ref::string || r == content_ref::embed || r == content_ref::format)
      return render_kind::text;
    if (!n->countable()) continue;
    any_list = true;
    if (!is_xml_child(n)) all_xml = false;
  }
  if (!any_list) return render_kind::none;
  return all_xml ? render_kind::xml_fragment : render_kind::array;
}

std::string text_string(const branch* b) {
  std::u16string s;
  for (const item* n = b->start; n != nullptr; n = n->right) {
    if (n->visible()) {
      if (const auto* cs = n->content.get_if<content_string>()) s += cs->text;
    }
  }
  return lib0::utf16_to_utf8(s);
}

std::vector<delta_op> text_delta(const branch* b, int depth) {
  std::vector<delta_op> ops;
  text_attributes current;
  std::u16string str;
  auto attrs_obj = [&]() {
    text_attributes a;
    for (const auto& kv : current) a.push_back(kv);
    return a;
  };
  auto pack = [&]() {
    if (str.empty()) return;
    ops.push_back({lib0::any(lib0::utf16_to_utf8(str)), attrs_obj()});
    str.clear();
  };
  for (const item* n = b->start; n != nullptr; n = n->right) {
    if (n->deleted()) continue;
    switch (n->content.ref()) {
      case content_ref::string:
        str += n->content.get_if<content_string>()->text;
        break;
      case content_ref::type:
      case content_ref::embed: {
        pack();
        std::vector<lib0::any> vals;
        content_values(n->content, vals, depth);
        ops.push_back({vals.empty() ? lib0::any() : vals.front(), attrs_obj()});
        break;
      }
      case content_ref::format: {
        pack();
        const auto* f = n->content.get_if<content_format>();
        auto pos =
            std::find_if(current.begin(), current.end(), [&](const auto& kv) { return kv.first == f->key; });
        if (f->value.is_null()) {
          if (pos != current.end()) current.erase(pos);
        } else if (pos != current.end()) {
          pos->second = f->value;
        } else {
          current.emplace_back(f->key, f->value);
        }
        break;
      }
      default:
        break;
    }
  }
  pack();
  return ops;
}

std::string js_string(const lib0::any& v) {
  return std::visit(
      [&](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, lib0::undefined_t>) {
          return "undefined";
        } else if constexpr (std::is_same_v<T, lib0::null_t>) {
          return "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          return lib0::js_number_to_string(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return x;
        } else if constexpr (std::is_same_v<T, lib0::bigint>) {
          return std::to_string(x.value);
        } else if constexpr (std::is_same_v<T, bytes>) {
          std::string s;
          for (std::size_t i = 0; i < x.size(); ++i) {
            if (i) s += ',';
            s += std::to_string(x[i]);
          }
          return s;
        } else if constexpr (std::is_same_v<T, lib0::any::array>) {
          std::string s;
          for (std::size_t i = 0; i < x.size(); ++i) {
            if (i) s += ",";
            if (!x[i].is_null() && !x[i].is_undefined()) s += js_string(x[i]);
          }
          return s;
        } else {
          return "[object Object]";
        }
      },
      v.value());
}

void content_values(const content& c, std::vector<lib0::any>& out, int depth) {
  switch (c.ref()) {
    case content_ref::any:
      for (const auto& v : c.get_if<content_any>()->values) out.push_back(v);
      break;
    case content_ref::json:
      for (const auto& v : c.get_if<content_json>()->values) out.push_back(v);
      break;
    case content_ref::binary:
      out.emplace_back(c.get_if<content_binary>()->data);
      break;
    case content_ref::string:
      for (char16_t ch : c.get_if<content_string>()->text)
        out.emplace_back(lib0::utf16_to_utf8(std::u16string(1, ch)));
      break;
    case content_ref::embed:
      out.push_back(c.get_if<content_embed>()->value);
      break;
    case content_ref::type: {
      const auto* ct = c.get_if<content_type>();
      out.push_back(ct->inner ? branch_to_any(ct->inner.get(), depth + 1) : lib0::any(lib0::null_t{}));
      break;
    }
    case content_ref::doc:
      out.push_back(lib0::any::make_object({{"$doc", lib0::any(c.get_if<content_doc>()->guid)}}));
      break;
    default:
      break;
  }
}

lib0::any map_value(const item* it, int depth) {
  std::vector<lib0::any> vals;
  content_values(it->content, vals, depth);
  if (vals.empty()) return lib0::any();
  return vals.back();
}

namespace {

void xml_children(std::string& out, const branch* b, int depth) {
  for (const item* n = b->start; n != nullptr; n = n->right) {
    if (!n->visible()) continue;
    if (const auto* ct = n->content.get_if<content_type>()) {
      if (ct->inner) {
        render_kind k = kind_of(ct->inner.get());
        if (k == render_kind::xml_element || k == render_kind::xml_text || k == render_kind::xml_fragment) {
          out += xml_string(ct->inner.get(), k, depth + 1);
        } else if (k == render_kind::text) {
          out += text_string(ct->inner.get());
        } else {
          out += "[object Object]";
        }
      }
      continue;
    }
    std::vector<lib0::any> vals;
    content_values(n->content, vals, depth);
    for (const auto& v : vals) out += js_string(v);
  }
}

std::vector<std::pair<std::string, lib0::any>> sorted_entries(const branch* b, int depth) {
  std::vector<std::pair<std::string, lib0::any>> entries;
  for (const auto& [key, it] : b->map) {
    if (!it->deleted()) entries.emplace_back(*key, map_value(it, depth));
  }
  // JS sort order (UTF-16 code units), as Yjs's XML toString sorts attributes; write_json re-sorts
  // objects by UTF-8 bytes (the zeal-ydoc JSON rule).
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& c) {
    return lib0::utf8_to_utf16(a.first) < lib0::utf8_to_utf16(c.first);
  });
  return entries;
}

}  // namespace

std::string xml_string(const branch* b, render_kind kind, int depth) {
  if (depth > max_depth) return {};
  std::string out;
  if (kind == render_kind::xml_text) {
    for (const auto& op : text_delta(b, depth)) {
      struct node {
        std::string name;
        std::vector<std::pair<std::string, std::string>> attrs;
      };
      std::vector<node> nodes;
      for (const auto& [name, value] : op.attributes) {
        node nd{name, {}};
        if (value.is_object()) {
          for (const auto& [k, v] : value.as_object()) nd.attrs.emplace_back(k, js_string(v));
        } else if (value.is_string()) {
          std::u16string s = lib0::utf8_to_utf16(value.as_string());
          for (std::size_t i = 0; i < s.size(); ++i) {
            nd.attrs.emplace_back(std::to_string(i), lib0::utf16_to_utf8(std::u16string(1, s[i])));
          }
        }
        std::stable_sort(nd.attrs.begin(), nd.attrs.end(), [](const auto& a, const auto& c) {
          return lib0::utf8_to_utf16(a.first) < lib0::utf8_to_utf16(c.first);
        });
        nodes.push_back(std::move(nd));
      }
      std::stable_sort(nodes.begin(), nodes.end(), [](const node& a, const node& c) {
        return lib0::utf8_to_utf16(a.name) < lib0::utf8_to_utf16(c.name);
      });
      for (const auto& nd : nodes) {
        out += "<" + nd.name;
        for (const auto& [k, v] : nd.attrs) out += " " + k + "=\"" + v + "\"";
        out += ">";
      }
      out += op.insert.is_string() ? op.insert.as_string() : js_string(op.insert);
      for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) out += "</" + it->name + ">";
    }
    return out;
  }
  if (kind == render_kind::xml_element) {
    std::string name;
    for (char ch : b->name) name += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    out += "<" + name;
    for (const auto& [k, v] : sorted_entries(b, depth)) out += " " + k + "=\"" + js_string(v) + "\"";
    out += ">";
    xml_children(out, b, depth);
    out += "</" + name + ">";
    return out;
  }
  xml_children(out, b, depth);
  return out;
}

lib0::any branch_to_any(const branch* b, int depth) {
  if (depth > max_depth) return lib0::any(lib0::null_t{});
  render_kind k = kind_of(b);
  switch (k) {
    case render_kind::text:
      return lib0::any(text_string(b));
    case render_kind::map:
    case render_kind::xml_hook: {
      lib0::any::object obj;
      for (auto& kv : sorted_entries(b, depth)) obj.push_back(std::move(kv));
      return lib0::any::make_object(std::move(obj));
    }
    case render_kind::array: {
      lib0::any::array arr;
      for (const item* n = b->start; n != nullptr; n = n->right) {
        if (n->visible()) content_values(n->content, arr, depth);
      }
      return lib0::any(std::move(arr));
    }
    case render_kind::xml_fragment:
    case render_kind::xml_element:
    case render_kind::xml_text:
      return lib0::any(xml_string(b, k, depth));
    case render_kind::none:
      break;
  }
  return lib0::any(lib0::any::array{});
}

void write_json(std::string& out, const lib0::any& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, lib0::undefined_t> || std::is_same_v<T, lib0::null_t>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          if (x != x || x == 1.0 / 0.0 || x == -1.0 / 0.0) {
            out += "null";
          } else {
            out += lib0::js_number_to_string(x);
          }
        } else if constexpr (std::is_same_v<T, std::string>) {
          lib0::append_json_string(out, x);
        } else if constexpr (std::is_same_v<T, lib0::bigint>) {
          out += std::to_string(x.value);
        } else if constexpr (std::is_same_v<T, bytes>) {
          out += "{\"$binary\":\"" + base64(x) + "\"}";
        } else if constexpr (std::is_same_v<T, lib0::any::array>) {
          out += '[';
          for (std::size_t i = 0; i < x.size(); ++i) {
            if (i) out += ',';
            write_json(out, x[i]);
          }
          out += ']';
        } else {
          std::vector<const std::pair<std::string, lib0::any>*> entries;
          for (const auto& kv : x) entries.push_back(&kv);
          std::sort(entries.begin(), entries.end(),
                    [](const auto* a, const auto* c) { return a->first < c->first; });
          out += '{';
          bool first = true;
          for (const auto* kv : entries) {
            if (!first) out += ',';
            first = false;
            lib0::append_json_string(out, kv->first);
            out += ':';
            write_json(out, kv->second);
          }
          out += '}';
        }
      },
      v.value());
}

std::string doc_impl::to_json() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, b] : roots_) {
    lib0::any v = branch_to_any(b.get());
    bool empty = false;
    if (v.is_string()) empty = v.as_string().empty();
    if (v.is_array()) empty = v.as_array().empty();
    if (v.is_object()) empty = v.as_object().empty();
    if (empty) continue;
    if (!first) out += ',';
    first = false;
    lib0::append_json_string(out, name);
    out += ':';
    write_json(out, v);
  }
  out += '}';
  return out;
}

}  // namespace zeal::crdt
