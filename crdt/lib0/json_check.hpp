#pragma once

#include <optional>
#include <string_view>

#include "crdt/lib0/error.hpp"

namespace zeal::crdt::lib0 {

/// Checks that `text` is one JSON value (what JSON.parse accepts, nested at most max_any_depth deep)
/// without building it: no allocation. nullopt if it is JSON, else why not (with the offset). Unlike
/// parse_json, the bare word `undefined` is not JSON here.
std::optional<error> check_json(std::string_view text);

}  // namespace zeal::crdt::lib0
