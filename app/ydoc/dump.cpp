#include "app/ydoc/dump.hpp"

#include <string>
#include <type_traits>
#include <variant>

#include "crdt/lib0/json.hpp"
#include "crdt/lib0/utf.hpp"

namespace zeal::ydoc {

namespace {

using namespace zeal::crdt;

std::string id_str(const id& v) {
  return std::to_string(v.client) + ":" + std::to_string(v.clock);
}

std::string quoted(std::string_view utf8) {
  std::string s;
  lib0::append_json_string(s, utf8);
  return s;
}

const char* type_name(type_ref r) {
  switch (r) {
    case type_ref::array:
      return "YArray";
    case type_ref::map:
      return "YMap";
    case type_ref::text:
      return "YText";
    case type_ref::xml_element:
      return "YXmlElement";
    case type_ref::xml_fragment:
      return "YXmlFragment";
    case type_ref::xml_hook:
      return "YXmlHook";
    case type_ref::xml_text:
      return "YXmlText";
  }
  return "?";
}

std::string values_str(const std::vector<lib0::any>& values) {
  std::string s = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) s += ",";
    s += lib0::to_json(values[i]);
  }
  return s + "]";
}

std::string content_str(const content& c) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, content_deleted>) {
          return "deleted " + std::to_string(x.length);
        } else if constexpr (std::is_same_v<T, content_json>) {
          return "json " + values_str(x.values);
        } else if constexpr (std::is_same_v<T, content_binary>) {
          return "binary " + std::to_string(x.data.size()) + " bytes";
        } else if constexpr (std::is_same_v<T, content_string>) {
          return "string " + quoted(lib0::utf16_to_utf8(x.text));
        } else if constexpr (std::is_same_v<T, content_embed>) {
          return "embed " + lib0::to_json(x.value);
        } else if constexpr (std::is_same_v<T, content_format>) {
          return "format " + quoted(x.key) + "=" + lib0::to_json(x.value);
        } else if constexpr (std::is_same_v<T, content_type>) {
          std::string s = std::string("type ") + type_name(x.ref);
          if (!x.name.empty()) s += " " + quoted(x.name);
          return s;
        } else if constexpr (std::is_same_v<T, content_any>) {
          return "any " + values_str(x.values);
        } else {
          return "doc " + quoted(x.guid) + " " + lib0::to_json(x.opts);
        }
      },
      c.value());
}

std::string block_str(const block& b) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        std::string s = "  [" + id_str(x.id) + "] ";
        if constexpr (std::is_same_v<T, gc_block>) {
          return s + "gc len " + std::to_string(x.length);
        } else if constexpr (std::is_same_v<T, skip_block>) {
          return s + "skip len " + std::to_string(x.length);
        } else {
          s += "item len " + std::to_string(x.length());
          if (x.origin) s += " origin " + id_str(*x.origin);
          if (x.right_origin) s += " right " + id_str(*x.right_origin);
          if (const auto* root = std::get_if<std::string>(&x.parent)) s += " parent root " + quoted(*root);
          if (const auto* pid = std::get_if<id>(&x.parent)) s += " parent item " + id_str(*pid);
          if (x.parent_sub) s += " key " + quoted(*x.parent_sub);
          return s + " " + content_str(x.content);
        }
      },
      b);
}

}  // namespace

std::string dump_update(const decoded_update& u, update_format format, std::size_t byte_size) {
  std::size_t structs = 0;
  for (const auto& c : u.clients) structs += c.blocks.size();
  std::string s = std::string("update ") + (format == update_format::v1 ? "v1" : "v2") + ", " +
                  std::to_string(byte_size) + " bytes, " + std::to_string(u.clients.size()) + " clients, " +
                  std::to_string(structs) + " structs\n";
  for (const auto& c : u.clients) {
    s += "client " + std::to_string(c.client) + ": " + std::to_string(c.blocks.size()) + " structs";
    if (!c.blocks.empty()) s += " from clock " + std::to_string(block_id(c.blocks.front()).clock);
    s += "\n";
    for (const auto& b : c.blocks) s += block_str(b) + "\n";
  }
  s += "delete set:";
  if (u.delete_set.empty()) s += " empty";
  s += "\n";
  for (auto it = u.delete_set.clients().rbegin(); it != u.delete_set.clients().rend(); ++it) {
    s += "  client " + std::to_string(it->first) + ":";
    for (const auto& r : it->second) {
      s += " [" + std::to_string(r.clock) + "," + std::to_string(r.clock + r.length) + ")";
    }
    s += "\n";
  }
  return s;
}

}  // namespace zeal::ydoc
