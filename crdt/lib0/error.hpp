#pragma once

#include <cstddef>
#include <exception>
#include <string>
#include <utility>
#include <variant>

namespace zeal::crdt {

/// What went wrong with untrusted input, and at which byte offset of that input.
struct error {
  std::string message;
  std::size_t offset = 0;

  /// "message at byte N".
  std::string to_string() const;
};

/// Thrown inside the decoders only; every public API catches it and returns an `error` value.
class decode_error : public std::exception {
 public:
  decode_error(std::string message, std::size_t offset) : err_{std::move(message), offset} {}
  const char* what() const noexcept override { return err_.message.c_str(); }
  const crdt::error& err() const noexcept { return err_; }

 private:
  crdt::error err_;
};

/// A value or an error (std::expected is C++23).
template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  result(crdt::error err) : v_(std::move(err)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const crdt::error& err() const { return std::get<1>(v_); }

 private:
  std::variant<T, crdt::error> v_;
};

/// Success or an error.
using status = result<std::monostate>;
inline status ok_status() {
  return std::monostate{};
}

}  // namespace zeal::crdt
