#include "crdt/lib0/json_check.hpp"

#include <cstdint>

#include "crdt/lib0/decoder.hpp"

namespace zeal::crdt::lib0 {

namespace {

/// A recursive-descent recognizer of RFC 8259 JSON; every function returns false at the first error,
/// leaving its message and position.
class checker {
 public:
  explicit checker(std::string_view s) : s_(s) {}

  std::optional<error> run() {
    ws();
    if (value(0)) {
      ws();
      if (pos_ == s_.size()) return std::nullopt;
      why_ = "unexpected character after JSON value";
    }
    return error{why_, pos_};
  }

 private:
  bool fail(const char* why) {
    why_ = why;
    return false;
  }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }

  void ws() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
  }

  bool word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return fail("unexpected token in JSON");
    pos_ += w.size();
    return true;
  }

  bool digits() {
    if (at_end() || peek() < '0' || peek() > '9') return fail("bad number in JSON");
    while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
    return true;
  }

  bool number() {
    if (peek() == '-') ++pos_;
    if (at_end()) return fail("bad number in JSON");
    if (peek() == '0') {
      ++pos_;
    } else if (!digits()) {
      return false;
    }
    if (!at_end() && peek() == '.') {
      ++pos_;
      if (!digits()) return false;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (!digits()) return false;
    }
    return true;
  }

  bool string() {
    ++pos_;  // '"'
    while (true) {
      if (at_end()) return fail("unterminated string in JSON");
      const auto c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return fail("control character in JSON string");
      if (c != '\\') continue;
      if (at_end()) return fail("unterminated string in JSON");
      const char e = s_[pos_++];
      if (e == 'u') {
        for (int i = 0; i < 4; ++i, ++pos_) {
          if (at_end()) return fail("bad \\u escape in JSON string");
          const char h = peek();
          if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
            return fail("bad \\u escape in JSON string");
        }
      } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
                 e != 't') {
        return fail("bad escape in JSON string");
      }
    }
  }

  /// `[` or `{` already seen: elements (object members when `object`) up to the closing bracket.
  bool container(int depth, bool object) {
    const char close = object ? '}' : ']';
    ++pos_;
    ws();
    if (!at_end() && peek() == close) {
      ++pos_;
      return true;
    }
    while (true) {
      ws();
      if (object) {
        if (at_end() || peek() != '"') return fail("expected string key in JSON object");
        if (!string()) return false;
        ws();
        if (at_end() || peek() != ':') return fail("expected ':' in JSON object");
        ++pos_;
        ws();
      }
      if (!value(depth + 1)) return false;
      ws();
      if (at_end()) return fail("unexpected end of JSON input");
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == close) {
        ++pos_;
        return true;
      }
      return fail(object ? "expected ',' or '}' in JSON object" : "expected ',' or ']' in JSON array");
    }
  }

  bool value(int depth) {
    if (depth > max_any_depth) return fail("JSON nested too deeply");
    if (at_end()) return fail("unexpected end of JSON input");
    switch (peek()) {
      case '{':
        return container(depth, true);
      case '[':
        return container(depth, false);
      case '"':
        return string();
      case 't':
        return word("true");
      case 'f':
        return word("false");
      case 'n':
        return word("null");
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return number();
        return fail("unexpected token in JSON");
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  const char* why_ = "";
};

}  // namespace

std::optional<error> check_json(std::string_view text) {
  return checker(text).run();
}

}  // namespace zeal::crdt::lib0
