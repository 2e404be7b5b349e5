#include "actors/room_name.hpp"

#include "crdt/lib0/utf.hpp"

namespace zeal::actors {

std::optional<std::string> room_name_error(std::string_view name, std::size_t max_bytes) {
  if (name.empty()) return std::string{"empty"};
  if (name.size() > max_bytes) return "longer than " + std::to_string(max_bytes) + " bytes";
  if (!crdt::lib0::is_valid_utf8(name)) return std::string{"not valid UTF-8"};
  // In valid UTF-8 the bytes below 0x80 are exactly the ASCII characters.
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return std::string{"contains a control character"};
  }
  return std::nullopt;
}

}  // namespace zeal::actors
