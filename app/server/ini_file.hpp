#pragma once

// A small strict INI parser for config.ini (CAF's own INI parser silently ignores type errors, so the
// server does not use it). Grammar, one item per line:
//   [section]                 section names: letters, digits, '-', '_', '.'
//   key = value               keys: letters, digits, '-', '_', '.'
//   key = "quoted value"      escapes \" \\ \n \t; anything after the closing quote must be a comment
//   ; comment   # comment     also after a value (bare values end at the first ';' or '#')
// Blank lines, surrounding whitespace, CRLF line ends and a leading UTF-8 BOM are accepted. Keys outside a
// section, duplicate keys, duplicate sections, empty values and anything else are errors with a line number.
// The parser knows no option names or types: the options loader checks those.

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace zeal::app {

struct ini_entry {
  std::string key;
  std::string value;  // without quotes, escapes resolved
  bool quoted = false;
  std::size_t line = 0;  // 1-based
};

struct ini_section {
  std::string name;
  std::size_t line = 0;
  std::vector<ini_entry> entries;  // in file order
};

struct ini_document {
  std::vector<ini_section> sections;  // in file order
};

struct ini_error {
  std::size_t line = 0;
  std::string message;
};

/// Parses INI text. Returns the document or the first error (with its 1-based line).
std::variant<ini_document, ini_error> parse_ini(std::string_view text);

}  // namespace zeal::app
