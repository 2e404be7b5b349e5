#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/lib0/bytes.hpp"

namespace zeal::bench::load {

/// One (client, clock, length) range of structs found in an update.
struct struct_range {
  std::uint64_t client = 0;
  std::uint64_t clock = 0;
  std::uint64_t length = 0;
};

/// Appends a v1 update holding one String item of `text` (ASCII or UTF-8) appended to the Y.Text "t" by
/// `client` at `clock`: the first item (clock 0) names the root type, later ones have the client's previous
/// unit as origin, as a typing client's would.
void append_text_update(crdt::bytes& out, std::uint64_t client, std::uint64_t clock, std::string_view text);

/// The UTF-16 length of valid UTF-8 text (Yjs's string length).
std::uint64_t utf16_length(std::string_view utf8);

/// Reads the struct ranges of a v1 update into `out` (cleared first). Fast path for GC, Skip, Deleted and
/// String structs; any other content falls back to the crdt library's decoder. False (with `error`) if
/// the update is malformed.
bool scan_update_ranges(crdt::bytes_view update, std::vector<struct_range>& out, std::string& error);

/// Applies the first `count` generated updates of two senders (interleaved) to a crdt::doc, checks the
/// text and that scan_update_ranges reads back their ranges. False with a message on failure.
bool self_test(std::string& error);

}  // namespace zeal::bench::load
