#define CAF_SUITE server_ini_file
#include <caf/test/unit_test.hpp>

// The strict INI parser of config.ini: sections, keys, quoted and bare values, comments, and errors with
// the right line number.

#include <string>
#include <variant>

#include "app/server/ini_file.hpp"

using namespace zeal::app;

namespace {

ini_document parse_ok(const std::string& text) {
  auto r = parse_ini(text);
  if (auto* e = std::get_if<ini_error>(&r)) {
    CAF_FAIL("unexpected error at line " << e->line << ": " << e->message);
  }
  return std::get<ini_document>(r);
}

ini_error parse_err(const std::string& text) {
  auto r = parse_ini(text);
  if (std::holds_alternative<ini_document>(r)) {
    CAF_FAIL("expected an error for: " << text);
  }
  return std::get<ini_error>(r);
}

}  // namespace

CAF_TEST(empty and comment - only input) {
  CAF_CHECK(parse_ok("").sections.empty());
  CAF_CHECK(parse_ok("\n\n  \n").sections.empty());
  CAF_CHECK(parse_ok("; comment\n# another\n   ; indented\n").sections.empty());
}

CAF_TEST(sections and entries in file order) {
  auto doc = parse_ok("[server]\nhost = \"127.0.0.1\"\nport = 8080\n\n[log]\nlevel = info\n");
  CAF_REQUIRE_EQUAL(doc.sections.size(), 2u);
  CAF_CHECK_EQUAL(doc.sections[0].name, "server");
  CAF_CHECK_EQUAL(doc.sections[0].line, 1u);
  CAF_REQUIRE_EQUAL(doc.sections[0].entries.size(), 2u);
  const auto& host = doc.sections[0].entries[0];
  CAF_CHECK_EQUAL(host.key, "host");
  CAF_CHECK_EQUAL(host.value, "127.0.0.1");
  CAF_CHECK(host.quoted);
  CAF_CHECK_EQUAL(host.line, 2u);
  const auto& port = doc.sections[0].entries[1];
  CAF_CHECK_EQUAL(port.key, "port");
  CAF_CHECK_EQUAL(port.value, "8080");
  CAF_CHECK(!port.quoted);
  CAF_CHECK_EQUAL(port.line, 3u);
  CAF_CHECK_EQUAL(doc.sections[1].name, "log");
  CAF_CHECK_EQUAL(doc.sections[1].line, 5u);
  CAF_REQUIRE_EQUAL(doc.sections[1].entries.size(), 1u);
  CAF_CHECK_EQUAL(doc.sections[1].entries[0].value, "info");
  CAF_CHECK_EQUAL(doc.sections[1].entries[0].line, 6u);
}

CAF_TEST(inline comments after values and headers) {
  auto doc = parse_ok(
      "[server] ; the server\n"
      "port = 8080   ; a comment\n"
      "host = \"a;b#c\"  # quoted comment characters are data\n"
      "max-rooms=5#tight\n"
      "data-dir = ./data ; bare path\n");
  CAF_REQUIRE_EQUAL(doc.sections.size(), 1u);
  const auto& e = doc.sections[0].entries;
  CAF_REQUIRE_EQUAL(e.size(), 4u);
  CAF_CHECK_EQUAL(e[0].value, "8080");
  CAF_CHECK_EQUAL(e[1].value, "a;b#c");
  CAF_CHECK(e[1].quoted);
  CAF_CHECK_EQUAL(e[2].key, "max-rooms");
  CAF_CHECK_EQUAL(e[2].value, "5");
  CAF_CHECK_EQUAL(e[3].value, "./data");
  CAF_CHECK(!e[3].quoted);
}

CAF_TEST(quoted values keep spaces and resolve escapes) {
  auto doc = parse_ok("[s]\na = \"  spaced  \"\nb = \"q\\\"uote\\\\ \\t\\n\"\nc = \"\"\n");
  const auto& e = doc.sections[0].entries;
  CAF_REQUIRE_EQUAL(e.size(), 3u);
  CAF_CHECK_EQUAL(e[0].value, "  spaced  ");
  CAF_CHECK_EQUAL(e[1].value, "q\"uote\\ \t\n");
  CAF_CHECK_EQUAL(e[2].value, "");
  CAF_CHECK(e[2].quoted);
}

CAF_TEST(bare values are trimmed and may contain inner spaces) {
  auto doc = parse_ok("[s]\n  key   =   some value   \n");
  CAF_CHECK_EQUAL(doc.sections[0].entries[0].value, "some value");
}

CAF_TEST(crlf line ends and a utf8 bom are accepted) {
  auto doc = parse_ok("\xEF\xBB\xBF[server]\r\nport = 1\r\nhost = \"h\"\r\n");
  CAF_REQUIRE_EQUAL(doc.sections.size(), 1u);
  CAF_CHECK_EQUAL(doc.sections[0].name, "server");
  CAF_REQUIRE_EQUAL(doc.sections[0].entries.size(), 2u);
  CAF_CHECK_EQUAL(doc.sections[0].entries[0].value, "1");
  CAF_CHECK_EQUAL(doc.sections[0].entries[1].value, "h");
}

CAF_TEST(section names with spaces inside brackets are trimmed) {
  auto doc = parse_ok("[ server ]\nport = 1\n");
  CAF_CHECK_EQUAL(doc.sections[0].name, "server");
}

CAF_TEST(errors carry the line number) {
  auto e = parse_err("[server]\nport = 1\njust some words\n");
  CAF_CHECK_EQUAL(e.line, 3u);
  CAF_CHECK(e.message.find("key = value") != std::string::npos);

  e = parse_err("port = 1\n");
  CAF_CHECK_EQUAL(e.line, 1u);
  CAF_CHECK(e.message.find("outside") != std::string::npos);

  e = parse_err("; ok\n[server\n");
  CAF_CHECK_EQUAL(e.line, 2u);
  CAF_CHECK(e.message.find("']'") != std::string::npos);

  e = parse_err("[server] trailing\n");
  CAF_CHECK_EQUAL(e.line, 1u);

  e = parse_err("[]\n");
  CAF_CHECK(e.message.find("empty section name") != std::string::npos);

  e = parse_err("[ser ver]\n");
  CAF_CHECK(e.message.find("invalid character") != std::string::npos);
}

CAF_TEST(value errors) {
  auto e = parse_err("[s]\n\nhost = \"unterminated\n");
  CAF_CHECK_EQUAL(e.line, 3u);
  CAF_CHECK(e.message.find("unterminated") != std::string::npos);

  e = parse_err("[s]\nhost = \"a\" b\n");
  CAF_CHECK_EQUAL(e.line, 2u);
  CAF_CHECK(e.message.find("after the closing quote") != std::string::npos);

  e = parse_err("[s]\nhost =\n");
  CAF_CHECK_EQUAL(e.line, 2u);
  CAF_CHECK(e.message.find("missing value") != std::string::npos);

  e = parse_err("[s]\nhost = ; only a comment\n");
  CAF_CHECK(e.message.find("missing value") != std::string::npos);

  e = parse_err("[s]\nhost = a\"b\n");
  CAF_CHECK(e.message.find("unquoted") != std::string::npos);

  e = parse_err("[s]\nhost = \"a\\x\"\n");
  CAF_CHECK(e.message.find("escape") != std::string::npos);

  e = parse_err("[s]\n= 5\n");
  CAF_CHECK(e.message.find("empty key") != std::string::npos);

  e = parse_err("[s]\nbad key = 5\n");
  CAF_CHECK(e.message.find("invalid character in key") != std::string::npos);

  e = parse_err(std::string("[s]\nkey = a\0b\n", 12));
  CAF_CHECK_EQUAL(e.line, 2u);
}

CAF_TEST(duplicates are errors) {
  auto e = parse_err("[s]\na = 1\nb = 2\na = 3\n");
  CAF_CHECK_EQUAL(e.line, 4u);
  CAF_CHECK(e.message.find("duplicate key \"a\"") != std::string::npos);

  e = parse_err("[s]\na = 1\n[t]\n[s]\n");
  CAF_CHECK_EQUAL(e.line, 4u);
  CAF_CHECK(e.message.find("duplicate section [s]") != std::string::npos);

  // The same key in two sections is fine.
  auto doc = parse_ok("[s]\na = 1\n[t]\na = 2\n");
  CAF_CHECK_EQUAL(doc.sections.size(), 2u);
}

CAF_TEST(last line without newline) {
  auto doc = parse_ok("[s]\nport = 9");
  CAF_CHECK_EQUAL(doc.sections[0].entries[0].value, "9");
}
