#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace zeal::actors {

/// Checks a room name: 1..max_bytes bytes, valid UTF-8, no control characters (U+0000–U+001F, U+007F).
/// nullopt if valid, else why not (e.g. "empty", "longer than 256 bytes").
std::optional<std::string> room_name_error(std::string_view name, std::size_t max_bytes);

}  // namespace zeal::actors
