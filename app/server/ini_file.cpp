#include "app/server/ini_file.hpp"

#include <optional>
#include <set>

namespace zeal::app {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.';
}

/// Empty if `name` is a valid section or key name, else the reason.
std::optional<std::string> name_error(std::string_view name, const char* what) {
  if (name.empty()) return std::string("empty ") + what;
  for (char c : name) {
    if (!is_name_char(c)) {
      return std::string("invalid character in ") + what + " \"" + std::string(name) +
             "\" (allowed: letters, digits, '-', '_', '.')";
    }
  }
  return std::nullopt;
}

bool is_comment_start(char c) {
  return c == ';' || c == '#';
}

/// Parses the value part of `key = value`. Sets `out` or returns an error message.
std::optional<std::string> parse_value(std::string_view raw, ini_entry& out) {
  std::string_view v = trim(raw);
  if (v.empty() || is_comment_start(v.front()))
    return std::string("missing value for key \"" + out.key + "\"");
  if (v.front() == '"') {
    std::string value;
    std::size_t i = 1;
    bool closed = false;
    for (; i < v.size(); ++i) {
      char c = v[i];
      if (c == '"') {
        closed = true;
        ++i;
        break;
      }
      if (c == '\\') {
        if (i + 1 >= v.size()) break;
        char e = v[++i];
        switch (e) {
          case '"':
            value += '"';
            break;
          case '\\':
            value += '\\';
            break;
          case 'n':
            value += '\n';
            break;
          case 't':
            value += '\t';
            break;
          default:
            return std::string("invalid escape sequence \\") + e + " in quoted value";
        }
        continue;
      }
      value += c;
    }
    if (!closed) return std::string("unterminated quoted value for key \"" + out.key + "\"");
    std::string_view rest = trim(v.substr(i));
    if (!rest.empty() && !is_comment_start(rest.front())) {
      return "unexpected text after the closing quote: \"" + std::string(rest) + "\"";
    }
    out.value = std::move(value);
    out.quoted = true;
    return std::nullopt;
  }
  std::size_t end = 0;
  while (end < v.size() && !is_comment_start(v[end])) {
    if (v[end] == '"') return "unexpected '\"' in unquoted value (quote the whole value)";
    ++end;
  }
  out.value = std::string(trim(v.substr(0, end)));
  out.quoted = false;
  return std::nullopt;
}

}  // namespace

std::variant<ini_document, ini_error> parse_ini(std::string_view text) {
  ini_document doc;
  std::set<std::string, std::less<>> section_names;
  std::set<std::string, std::less<>> keys;  // of the current section
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    auto fail = [&](std::string message) { return ini_error{line_no, std::move(message)}; };
    for (char c : raw) {
      if (c == '\0') return fail("NUL byte in line");
    }
    std::string_view line = trim(raw);
    if (line.empty() || is_comment_start(line.front())) continue;
    if (line.front() == '[') {
      std::size_t close = line.find(']');
      if (close == std::string_view::npos) return fail("missing ']' in section header");
      std::string_view rest = trim(line.substr(close + 1));
      if (!rest.empty() && !is_comment_start(rest.front())) {
        return fail("unexpected text after section header: \"" + std::string(rest) + "\"");
      }
      std::string_view name = trim(line.substr(1, close - 1));
      if (auto e = name_error(name, "section name")) return fail(*e);
      if (!section_names.insert(std::string(name)).second) {
        return fail("duplicate section [" + std::string(name) + "]");
      }
      doc.sections.push_back(ini_section{std::string(name), line_no, {}});
      keys.clear();
      continue;
    }
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return fail("expected \"key = value\" or \"[section]\", got \"" + std::string(line) + "\"");
    }
    std::string_view key = trim(line.substr(0, eq));
    if (auto e = name_error(key, "key")) return fail(*e);
    if (doc.sections.empty()) return fail("key \"" + std::string(key) + "\" outside of any [section]");
    ini_entry entry;
    entry.key = std::string(key);
    entry.line = line_no;
    if (auto e = parse_value(line.substr(eq + 1), entry)) return fail(*e);
    auto& section = doc.sections.back();
    if (!keys.insert(entry.key).second) {
      return fail("duplicate key \"" + entry.key + "\" in section [" + section.name + "]");
    }
    section.entries.push_back(std::move(entry));
  }
  return doc;
}

}  // namespace zeal::app
