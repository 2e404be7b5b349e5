#include "bench/load/yjs_updates.hpp"

#include <cstring>
#include <exception>
#include <variant>

#include "bench/load/varint.hpp"
#include "crdt/doc/doc.hpp"
#include "crdt/update/update.hpp"

namespace zeal::bench::load {
namespace {

/// A minimal bounds-checked cursor; `ok` turns false on the first overrun and stays false.
struct cursor {
  const std::uint8_t* p;
  const std::uint8_t* end;
  bool ok = true;

  std::uint64_t var_uint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) {
        ok = false;
        return 0;
      }
      const std::uint8_t b = *p++;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok = false;
    return 0;
  }
  std::uint8_t u8() {
    if (p >= end) {
      ok = false;
      return 0;
    }
    return *p++;
  }
  std::string_view var_string() {
    const std::uint64_t n = var_uint();
    if (!ok || n > static_cast<std::uint64_t>(end - p)) {
      ok = false;
      return {};
    }
    std::string_view s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
  }
};

bool scan_with_library(crdt::bytes_view update, std::vector<struct_range>& out, std::string& error) {
  out.clear();
  auto decoded = crdt::decode_update(update, crdt::update_format::v1);
  if (!decoded) {
    error = decoded.err().message;
    return false;
  }
  for (const auto& group : decoded->clients) {
    for (const auto& b : group.blocks) {
      if (std::holds_alternative<crdt::skip_block>(b)) continue;
      const auto& id = crdt::block_id(b);
      out.push_back({id.client, id.clock, crdt::block_length(b)});
    }
  }
  return true;
}

}  // namespace

void append_text_update(crdt::bytes& out, std::uint64_t client, std::uint64_t clock, std::string_view text) {
  put_var_uint(out, 1);  // one client group
  put_var_uint(out, 1);  // one struct
  put_var_uint(out, client);
  put_var_uint(out, clock);
  if (clock == 0) {
    out.push_back(0x04);   // String content, no origin: parent info follows
    put_var_uint(out, 1);  // parent is a root type name
    put_var_uint(out, 1);
    out.push_back('t');
  } else {
    out.push_back(0x84);  // String content with origin
    put_var_uint(out, client);
    put_var_uint(out, clock - 1);
  }
  put_var_uint(out, text.size());
  out.insert(out.end(), text.begin(), text.end());
  put_var_uint(out, 0);  // empty delete set
}

std::uint64_t utf16_length(std::string_view utf8) {
  std::uint64_t n = 0;
  std::size_t i = 0;
  // ASCII runs 8 bytes at a time (large documents are mostly ASCII).
  for (; i + 8 <= utf8.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, utf8.data() + i, 8);
    if (w & 0x8080808080808080ull) break;
    n += 8;
  }
  for (const char c : utf8.substr(i)) {
    const auto b = static_cast<std::uint8_t>(c);
    if ((b & 0xc0) != 0x80) ++n;  // a lead or ASCII byte starts a code point
    if (b >= 0xf0) ++n;           // 4-byte sequences are surrogate pairs
  }
  return n;
}

bool scan_update_ranges(crdt::bytes_view update, std::vector<struct_range>& out, std::string& error) {
  out.clear();
  cursor c{update.data(), update.data() + update.size()};
  const std::uint64_t groups = c.var_uint();
  for (std::uint64_t g = 0; c.ok && g < groups; ++g) {
    const std::uint64_t structs = c.var_uint();
    const std::uint64_t client = c.var_uint();
    std::uint64_t clock = c.var_uint();
    for (std::uint64_t i = 0; c.ok && i < structs; ++i) {
      const std::uint8_t info = c.u8();
      const std::uint8_t ref = info & 0x1f;
      std::uint64_t length = 0;
      if (ref == 0 || ref == 10) {  // GC or Skip
        length = c.var_uint();
        if (ref == 0) out.push_back({client, clock, length});
        clock += length;
        continue;
      }
      if (info & 0x80) {
        c.var_uint();
        c.var_uint();
      }
      if (info & 0x40) {
        c.var_uint();
        c.var_uint();
      }
      if ((info & 0xc0) == 0) {
        if (c.var_uint() == 1) {
          c.var_string();
        } else {
          c.var_uint();
          c.var_uint();
        }
        if (info & 0x20) c.var_string();
      }
      if (ref == 1) {
        length = c.var_uint();
      } else if (ref == 4) {
        length = utf16_length(c.var_string());
      } else {
        return scan_with_library(update, out, error);
      }
      if (!c.ok) break;
      if (length == 0) {
        error = "struct of length 0";
        return false;
      }
      out.push_back({client, clock, length});
      clock += length;
    }
  }
  if (!c.ok) {
    error = "truncated or malformed update";
    return false;
  }
  return true;
}

bool self_test(std::string& error) {
  // 8 ASCII bytes, é (1 unit), U+1F600 (a surrogate pair), 9 ASCII bytes.
  if (utf16_length("abcdefgh\xc3\xa9\xf0\x9f\x98\x80"
                   "123456789") != 20) {
    error = "utf16_length miscounts";
    return false;
  }
  constexpr std::uint64_t clients[2] = {1000000, 1000001};
  crdt::doc d;
  std::string expect_a;
  std::string expect_b;
  std::uint64_t clock[2] = {0, 0};
  crdt::bytes u;
  std::vector<struct_range> ranges;
  for (int k = 0; k < 6; ++k) {
    for (int s = 0; s < 2; ++s) {
      char piece_buf[] = "s0k0xxxx";
      piece_buf[1] = static_cast<char>('0' + s);
      piece_buf[3] = static_cast<char>('0' + k);
      const std::string_view piece(piece_buf, 8);
      u.clear();
      append_text_update(u, clients[s], clock[s], piece);
      if (auto st = d.apply_update(u); !st) {
        error = "generated update rejected by crdt::doc: " + st.err().message;
        return false;
      }
      if (!scan_update_ranges(u, ranges, error)) return false;
      if (ranges.size() != 1 || ranges[0].client != clients[s] || ranges[0].clock != clock[s] ||
          ranges[0].length != piece.size()) {
        error = "scan_update_ranges misread a generated update";
        return false;
      }
      (s == 0 ? expect_a : expect_b) += piece;
      clock[s] += piece.size();
    }
  }
  if (d.pending().pending_deletes || !d.pending().missing.empty()) {
    error = "generated updates left pending structs";
    return false;
  }
  // Both senders' runs are contiguous; which comes first depends on the client ids (YATA order).
  const std::string text = d.get_text("t").to_string();
  if (text != expect_a + expect_b && text != expect_b + expect_a) {
    error = "self-test text mismatch: got \"" + text + "\"";
    return false;
  }
  // The whole document re-encoded by the library (merged items) reads back as covering every clock.
  const crdt::bytes whole = d.encode_state_as_update();
  if (!scan_update_ranges(whole, ranges, error)) return false;
  std::uint64_t covered = 0;
  for (const auto& r : ranges) covered += r.length;
  if (covered != clock[0] + clock[1]) {
    error = "scan_update_ranges misread the encoded document";
    return false;
  }
  return true;
}

}  // namespace zeal::bench::load
