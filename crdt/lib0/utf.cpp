#include "crdt/lib0/utf.hpp"

#include <cstdint>

namespace zeal::crdt::lib0 {

namespace {

/// Length of the UTF-8 sequence starting with lead byte `b` (valid input assumed), 1 for stray bytes.
std::size_t seq_len(unsigned char b) {
  if (b < 0xC0) return 1;
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  return 4;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char b = p[i];
    if (b < 0x80) {
      ++i;
      // Fast path over ASCII runs.
      while (i < n && p[i] < 0x80) ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t min;
    std::uint32_t cp;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2, min = 0x80, cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3, min = 0x800, cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4, min = 0x10000, cp = b & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      unsigned char c = p[i + k];
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::u16string utf8_to_utf16(std::string_view s) {
  // Every UTF-8 byte yields at most one UTF-16 unit (a 4-byte sequence gives two), so the output fits
  // in s.size() units: write through a pointer, then shrink.
  std::u16string out;
  out.resize(s.size());
  char16_t* o = out.data();
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char b = p[i];
    if (b < 0x80) {
      *o++ = static_cast<char16_t>(b);
      ++i;
      continue;
    }
    std::size_t len = seq_len(b);
    if (len > n - i) len = n - i;
    std::uint32_t cp;
    switch (len) {
      case 2:
        cp = ((b & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu);
        break;
      case 3:
        cp = ((b & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu);
        break;
      case 4:
        cp =
            ((b & 0x07u) << 18) | ((p[i + 1] & 0x3Fu) << 12) | ((p[i + 2] & 0x3Fu) << 6) | (p[i + 3] & 0x3Fu);
        break;
      default:
        cp = b;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      *o++ = static_cast<char16_t>(0xD800 + (cp >> 10));
      *o++ = static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      *o++ = static_cast<char16_t>(cp);
    }
    i += len;
  }
  out.resize(static_cast<std::size_t>(o - out.data()));
  return out;
}

void append_utf16_as_utf8(std::string& out, std::u16string_view s) {
  // At most 3 bytes per UTF-16 unit (a surrogate pair, 2 units, gives 4): write through a pointer.
  const std::size_t old = out.size();
  out.resize(old + 3 * s.size());
  auto* o = reinterpret_cast<unsigned char*>(out.data() + old);
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t c = s[i];
    if (c < 0x80) {
      *o++ = static_cast<unsigned char>(c);
      continue;
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
      if (c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
        std::uint32_t cp = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
        ++i;
        *o++ = static_cast<unsigned char>(0xF0 | (cp >> 18));
        *o++ = static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3F));
        *o++ = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
        *o++ = static_cast<unsigned char>(0x80 | (cp & 0x3F));
        continue;
      }
      c = 0xFFFD;  // lone surrogate
    }
    if (c < 0x800) {
      *o++ = static_cast<unsigned char>(0xC0 | (c >> 6));
      *o++ = static_cast<unsigned char>(0x80 | (c & 0x3F));
    } else {
      *o++ = static_cast<unsigned char>(0xE0 | (c >> 12));
      *o++ = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F));
      *o++ = static_cast<unsigned char>(0x80 | (c & 0x3F));
    }
  }
  out.resize(static_cast<std::size_t>(reinterpret_cast<char*>(o) - out.data()));
}

std::string utf16_to_utf8(std::u16string_view s) {
  std::string out;
  append_utf16_as_utf8(out, s);
  return out;
}

std::size_t utf16_length(std::string_view s) {
  std::size_t units = 0;
  for (unsigned char b : s) {
    // Every non-continuation byte starts a code point; 4-byte sequences need two UTF-16 units.
    if ((b & 0xC0) != 0x80) units += (b >= 0xF0) ? 2 : 1;
  }
  return units;
}

}  // namespace zeal::crdt::lib0
