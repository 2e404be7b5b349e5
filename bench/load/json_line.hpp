#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zeal::bench::load {

/// Builds one flat-or-nested JSON object, key order as added.
class json_line {
 public:
  json_line& add(std::string_view key, std::string_view value);
  json_line& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  json_line& add(std::string_view key, double value);
  json_line& add(std::string_view key, std::uint64_t value);
  json_line& add(std::string_view key, std::int64_t value);
  json_line& add(std::string_view key, std::uint32_t value) { return add(key, std::uint64_t{value}); }
  json_line& add(std::string_view key, int value) { return add(key, std::int64_t{value}); }
  json_line& add(std::string_view key, bool value);
  json_line& add(std::string_view key, std::optional<double> value);
  json_line& add(std::string_view key, std::optional<std::uint64_t> value);
  /// The JSON literal null.
  json_line& add_null(std::string_view key);
  json_line& add_object(std::string_view key, const json_line& object);
  std::string str() const { return "{" + body_ + "}"; }

 private:
  void key(std::string_view k);
  std::string body_;
};

}  // namespace zeal::bench::load
