#include "crdt/lib0/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>

#include "crdt/lib0/decoder.hpp"
#include "crdt/lib0/utf.hpp"

namespace zeal::crdt::lib0 {

// ---- JS number formatting -----------------------------------------------------------------------------

std::string js_number_to_string(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
  if (v == 0) return "0";  // also −0
  std::string out;
  if (v < 0) {
    out.push_back('-');
    v = -v;
  }
  // Shortest round-trip digits in scientific form "d[.ddd]e±x".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  auto e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exp10 = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exp10);
  // ECMAScript Number::toString: value = digits × 10^(n−k).
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<std::size_t>(n));
    out.push_back('.');
    out.append(digits, static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.push_back('e');
    out.push_back(n - 1 < 0 ? '-' : '+');
    out += std::to_string(n - 1 < 0 ? 1 - n : n - 1);
  }
  return out;
}

// ---- stringify ----------------------------------------------------------------------------------------

void append_json_string(std::string& out, std::string_view utf8) {
  static constexpr char hex_digits[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : utf8) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex_digits[c >> 4]);
          out.push_back(hex_digits[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

namespace {

void stringify(std::string& out, const any& v) {
  const auto& value = v.value();
  switch (value.index()) {
    case 0:  // undefined (only reached at top level or inside arrays, handled by callers)
      out += "null";
      break;
    case 1:
      out += "null";
      break;
    case 2:
      out += std::get<bool>(value) ? "true" : "false";
      break;
    case 3: {
      double d = std::get<double>(value);
      out += std::isfinite(d) ? js_number_to_string(d) : "null";
      break;
    }
    case 4:
      append_json_string(out, std::get<std::string>(value));
      break;
    case 5: {  // Uint8Array → {"0":b0,"1":b1,...}
      const auto& b = std::get<bytes>(value);
      out.push_back('{');
      for (std::size_t i = 0; i < b.size(); ++i) {
        if (i) out.push_back(',');
        out.push_back('"');
        out += std::to_string(i);
        out += "\":";
        out += std::to_string(b[i]);
      }
      out.push_back('}');
      break;
    }
    case 6:
      out += std::to_string(std::get<bigint>(value).value);
      break;
    case 7: {
      const auto& arr = std::get<any::array>(value);
      out.push_back('[');
      for (std::size_t i = 0; i < arr.size(); ++i) {
        if (i) out.push_back(',');
        stringify(out, arr[i]);  // undefined → null
      }
      out.push_back(']');
      break;
    }
    case 8: {
      const auto& obj = std::get<any::object>(value);
      out.push_back('{');
      bool first = true;
      for (const auto& [k, e] : obj) {
        if (e.is_undefined()) continue;
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, k);
        out.push_back(':');
        stringify(out, e);
      }
      out.push_back('}');
      break;
    }
    default:
      break;
  }
}

}  // namespace

std::string to_json(const any& v) {
  if (v.is_undefined()) return "undefined";
  std::string out;
  stringify(out, v);
  return out;
}

// ---- parse --------------------------------------------------------------------------------------------

namespace {

struct parse_failure {
  std::string message;
  std::size_t offset;
};

class parser {
 public:
  explicit parser(std::string_view s) : s_(s) {}

  any parse_document() {
    skip_ws();
    any v = parse_value(0);
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected character after JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(std::string message) const { throw parse_failure{std::move(message), pos_}; }

  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool consume_word(std::string_view w) {
    if (s_.substr(pos_, w.size()) == w) {
      pos_ += w.size();
      return true;
    }
    return false;
  }

  any parse_value(int depth) {
    if (depth > max_any_depth) fail("JSON nested too deeply");
    if (pos_ >= s_.size()) fail("unexpected end of JSON input");
    char c = s_[pos_];
    switch (c) {
      case '{':
        return parse_object(depth);
      case '[':
        return parse_array(depth);
      case '"':
        return parse_string();
      case 't':
        if (consume_word("true")) return true;
        break;
      case 'f':
        if (consume_word("false")) return false;
        break;
      case 'n':
        if (consume_word("null")) return null_t{};
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    }
    fail("unexpected token in JSON");
  }

  any parse_object(int depth) {
    ++pos_;  // '{'
    any::object entries;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return any::make_object(std::move(entries));
    }
    while (true) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected string key in JSON object");
      std::string key = parse_string();
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') fail("expected ':' in JSON object");
      ++pos_;
      skip_ws();
      any value = parse_value(depth + 1);
      entries.emplace_back(std::move(key), std::move(value));
      skip_ws();
      if (pos_ >= s_.size()) fail("unexpected end of JSON input");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == '}') {
        ++pos_;
        return any::make_object(std::move(entries));
      }
      fail("expected ',' or '}' in JSON object");
    }
  }

  any parse_array(int depth) {
    ++pos_;  // '['
    any::array arr;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return arr;
    }
    while (true) {
      skip_ws();
      arr.push_back(parse_value(depth + 1));
      skip_ws();
      if (pos_ >= s_.size()) fail("unexpected end of JSON input");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == ']') {
        ++pos_;
        return arr;
      }
      fail("expected ',' or ']' in JSON array");
    }
  }

  unsigned hex4() {
    if (s_.size() - pos_ < 4) fail("bad \\u escape in JSON string");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        --pos_;
        fail("bad \\u escape in JSON string");
      }
    }
    return v;
  }

  std::string parse_string() {
    ++pos_;  // '"'
    std::string out;
    std::u16string units;  // pending \u escapes, converted together so that pairs join
    auto flush_units = [&] {
      if (!units.empty()) {
        out += utf16_to_utf8(units);  // lone surrogates → U+FFFD (our strings are UTF-8)
        units.clear();
      }
    };
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated JSON string");
      auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        flush_units();
        return out;
      }
      if (c < 0x20) fail("bad control character in JSON string");
      if (c != '\\') {
        flush_units();
        out.push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) fail("unterminated JSON string");
      char e = s_[pos_++];
      if (e == 'u') {
        units.push_back(static_cast<char16_t>(hex4()));
        continue;
      }
      flush_units();
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        default:
          --pos_;
          fail("bad escape in JSON string");
      }
    }
  }

  any parse_number() {
    const std::size_t start = pos_;
    auto digit = [&] { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; };
    bool negative = false;
    if (s_[pos_] == '-') {
      negative = true;
      ++pos_;
    }
    if (!digit()) fail("bad number in JSON");
    // Track the decimal magnitude for out-of-range results: the first significant digit's power of ten.
    long long first_sig = 0;
    bool have_sig = false;
    long long int_digits = 0;
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      while (digit()) {
        if (!have_sig) have_sig = true;
        ++int_digits;
        ++pos_;
      }
    }
    if (have_sig) first_sig = int_digits - 1;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digit()) fail("bad number in JSON");
      long long frac = 0;
      while (digit()) {
        ++frac;
        if (!have_sig && s_[pos_] != '0') {
          have_sig = true;
          first_sig = -frac;
        }
        ++pos_;
      }
    }
    long long exp = 0;
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      bool exp_neg = false;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) exp_neg = s_[pos_++] == '-';
      if (!digit()) fail("bad number in JSON");
      while (digit()) {
        if (exp < 100000000) exp = exp * 10 + (s_[pos_] - '0');
        ++pos_;
      }
      if (exp_neg) exp = -exp;
    }
    double v = 0;
    auto res = std::from_chars(s_.data() + start, s_.data() + pos_, v);
    if (res.ec == std::errc::result_out_of_range) {
      // Overflow gives ±Infinity and underflow ±0, as JS does.
      bool huge = have_sig && first_sig + exp > 0;
      v = huge ? HUGE_VAL : 0.0;
      if (negative) v = -v;
    } else if (res.ec != std::errc() || res.ptr != s_.data() + pos_) {
      pos_ = start;
      fail("bad number in JSON");
    }
    return v;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

result<any> parse_json(std::string_view text) {
  if (text == "undefined") return any(undefined_t{});
  if (!is_valid_utf8(text)) return error{"invalid UTF-8 in JSON text", 0};
  try {
    return parser(text).parse_document();
  } catch (const parse_failure& f) {
    return error{f.message, f.offset};
  }
}

}  // namespace zeal::crdt::lib0
