#pragma once

#include <string>
#include <string_view>

#include "crdt/lib0/any.hpp"
#include "crdt/lib0/error.hpp"

namespace zeal::crdt::lib0 {

/// JSON.stringify semantics: no whitespace, JS number formatting (shortest round trip, `1e+21`, `-0`→`0`,
/// NaN/Infinity → null), undefined inside objects skipped, inside arrays → null, top level → "undefined"
/// (as Yjs's ContentJSON writes it). bigint and bytes are not JSON: bigint → its decimal digits,
/// bytes → an object of index keys (as JSON.stringify does for a Uint8Array).
std::string to_json(const any& v);
/// JSON.parse semantics (plus the bare word `undefined`, which Yjs's ContentJSON reads as undefined).
/// Numbers become doubles; duplicate keys keep the last value; objects in JS property order.
result<any> parse_json(std::string_view text);
/// JS Number.prototype.toString() for a double.
std::string js_number_to_string(double v);
/// Appends `s` as a JSON string literal (quotes + escapes as JSON.stringify writes them).
void append_json_string(std::string& out, std::string_view utf8);

}  // namespace zeal::crdt::lib0
