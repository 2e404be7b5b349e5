#include "persistence/keys.hpp"

namespace zeal::persistence::keys {

void append_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint64_t read_be64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string room_prefix(std::string_view room) {
  std::string out;
  out.reserve(room.size() + 10);
  std::uint64_t n = room.size();
  do {
    auto byte = static_cast<unsigned char>(n & 0x7f);
    n >>= 7;
    if (n != 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (n != 0);
  out.append(room);
  return out;
}

std::string log_key(std::string_view prefix, std::uint64_t seq) {
  std::string out;
  out.reserve(prefix.size() + 8);
  out.append(prefix);
  append_be64(out, seq);
  return out;
}

std::optional<std::string> prefix_successor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty() && static_cast<unsigned char>(out.back()) == 0xff) out.pop_back();
  if (out.empty()) return std::nullopt;
  out.back() = static_cast<char>(static_cast<unsigned char>(out.back()) + 1);
  return out;
}

std::optional<decoded_prefix> decode_room_prefix(std::string_view key) {
  std::uint64_t n = 0;
  std::size_t i = 0;
  for (int shift = 0;; shift += 7) {
    if (i >= key.size() || shift > 56) return std::nullopt;
    auto byte = static_cast<unsigned char>(key[i++]);
    n |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (n == 0 || n > key.size() - i) return std::nullopt;
  return decoded_prefix{std::string(key.substr(i, n)), i + static_cast<std::size_t>(n)};
}

std::optional<std::uint64_t> decode_log_seq(std::string_view key, std::size_t prefix_size) {
  if (key.size() != prefix_size + 8) return std::nullopt;
  return read_be64(key.data() + prefix_size);
}

std::string encode_meta(const meta& m) {
  std::string out(1, '\x02');
  append_be64(out, m.snapshot_seq);
  append_be64(out, m.snapshot_bytes.value_or(0));
  return out;
}

std::optional<meta> decode_meta(std::string_view value) {
  if (value.size() == 9 && value[0] == '\x01') return meta{read_be64(value.data() + 1), std::nullopt};
  if (value.size() == 17 && value[0] == '\x02')
    return meta{read_be64(value.data() + 1), read_be64(value.data() + 9)};
  return std::nullopt;
}

std::string printable(std::string_view key) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (char c : key) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && u != '\\') {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 0xf]);
    }
  }
  return out;
}

}  // namespace zeal::persistence::keys
