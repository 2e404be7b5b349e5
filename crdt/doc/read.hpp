#pragma once

#include <string>
#include <vector>

#include "crdt/doc/branch.hpp"
#include "crdt/doc/text.hpp"
#include "crdt/lib0/any.hpp"

namespace zeal::crdt {

/// How a branch is rendered (roots may be untyped: the type is inferred from the content).
enum class render_kind { text, map, array, xml_fragment, xml_element, xml_text, xml_hook, none };

render_kind kind_of(const branch* b);
/// YText.toString: the visible String contents.
std::string text_string(const branch* b);
/// YText.toDelta (no snapshots).
std::vector<delta_op> text_delta(const branch* b, int depth = 0);
/// Yjs toString of XML types.
std::string xml_string(const branch* b, render_kind kind, int depth = 0);
/// The value of a type as an Any (text/XML → string, map → object, array → array).
lib0::any branch_to_any(const branch* b, int depth = 0);
/// One content's values as Yjs getContent() gives them (nested types rendered by branch_to_any).
void content_values(const content& c, std::vector<lib0::any>& out, int depth);
/// The current value of a map entry (its last content value).
lib0::any map_value(const item* it, int depth);
/// JSON text with keys sorted at every level, binary as {"$binary":"<base64>"}, undefined as null.
void write_json(std::string& out, const lib0::any& v);
/// JS String(v).
std::string js_string(const lib0::any& v);

}  // namespace zeal::crdt
