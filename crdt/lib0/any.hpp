#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "crdt/lib0/bytes.hpp"

namespace zeal::crdt::lib0 {

struct undefined_t {
  friend bool operator==(undefined_t, undefined_t) = default;
};
struct null_t {
  friend bool operator==(null_t, null_t) = default;
};
/// A JS BigInt as lib0 writes it (int64, tag 122).
struct bigint {
  std::int64_t value = 0;
  friend bool operator==(bigint, bigint) = default;
};

/// A lib0 "Any" value: what JS Yjs stores in Y.Map/Y.Array content and reads with readAny.
/// Numbers are JS numbers (double); the wire tag (int/float32/float64) is chosen from the value on write.
/// Objects keep JS property order: array-index keys ("0".."4294967294") ascending first, then the other
/// keys in insertion order; setting an existing key replaces its value in place.
class any {
 public:
  using array = std::vector<any>;
  using object = std::vector<std::pair<std::string, any>>;
  using value_type =
      std::variant<undefined_t, null_t, bool, double, std::string, bytes, bigint, array, object>;

  any() = default;
  any(undefined_t v) : v_(v) {}                        // NOLINT(google-explicit-constructor)
  any(null_t v) : v_(v) {}                             // NOLINT
  any(bool v) : v_(v) {}                               // NOLINT
  any(double v) : v_(v) {}                             // NOLINT
  any(int v) : v_(static_cast<double>(v)) {}           // NOLINT
  any(std::int64_t v) : v_(static_cast<double>(v)) {}  // NOLINT
  any(std::string v) : v_(std::move(v)) {}             // NOLINT
  any(const char* v) : v_(std::string(v)) {}           // NOLINT
  any(bytes v) : v_(std::move(v)) {}                   // NOLINT
  any(bigint v) : v_(v) {}                             // NOLINT
  any(array v) : v_(std::move(v)) {}                   // NOLINT
  /// Builds an object; keys are reordered into JS property order, duplicates keep the last value.
  static any make_object(object entries);

  const value_type& value() const { return v_; }
  value_type& value() { return v_; }

  bool is_undefined() const { return std::holds_alternative<undefined_t>(v_); }
  bool is_null() const { return std::holds_alternative<null_t>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_number() const { return std::holds_alternative<double>(v_); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_bytes() const { return std::holds_alternative<bytes>(v_); }
  bool is_bigint() const { return std::holds_alternative<bigint>(v_); }
  bool is_array() const { return std::holds_alternative<array>(v_); }
  bool is_object() const { return std::holds_alternative<object>(v_); }

  bool as_bool() const { return std::get<bool>(v_); }
  double as_number() const { return std::get<double>(v_); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const bytes& as_bytes() const { return std::get<bytes>(v_); }
  const array& as_array() const { return std::get<array>(v_); }
  const object& as_object() const { return std::get<object>(v_); }

  /// Object access (nullptr if not an object or key absent).
  const any* find(std::string_view key) const;
  /// Sets a key keeping JS property order (turns *this into an object if it is not one).
  void set(std::string key, any value);

  friend bool operator==(const any& a, const any& b) { return a.v_ == b.v_; }

 private:
  value_type v_;
};

/// True if `key` is a JS array index ("0".."4294967294", canonical form without leading zeros).
bool is_array_index_key(std::string_view key, std::uint32_t* index = nullptr);

}  // namespace zeal::crdt::lib0
