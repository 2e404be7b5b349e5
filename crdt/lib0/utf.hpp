#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zeal::crdt::lib0 {

/// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF).
bool is_valid_utf8(std::string_view s);
/// UTF-8 → UTF-16 (input must be valid UTF-8).
std::u16string utf8_to_utf16(std::string_view s);
/// UTF-16 → UTF-8; lone surrogates become U+FFFD.
std::string utf16_to_utf8(std::u16string_view s);
/// utf16_to_utf8, appended to `out`.
void append_utf16_as_utf8(std::string& out, std::u16string_view s);
/// Number of UTF-16 code units `s` (valid UTF-8) encodes to.
std::size_t utf16_length(std::string_view s);

}  // namespace zeal::crdt::lib0
