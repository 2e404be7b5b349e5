#pragma once

#include <string>
#include <utility>
#include <variant>

namespace zeal::persistence {

/// An error from the store: a message naming the operation, the room and (if any) the key.
struct error {
  std::string message;
};

/// Success or an error; nothing in the persistence API throws.
class status {
 public:
  status() = default;
  status(error e) : error_(std::move(e.message)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const std::string& error_message() const { return error_; }

 private:
  std::string error_;
  bool ok_ = true;
};

/// A value or an error.
template <class T>
class result {
 public:
  result(T value) : data_(std::move(value)) {}
  result(error e) : data_(std::move(e)) {}

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  /// The error message; empty when ok().
  const std::string& error_message() const {
    static const std::string none;
    return ok() ? none : std::get<1>(data_).message;
  }
  /// The error as a status (ok() when this holds a value).
  status to_status() const { return ok() ? status{} : status{std::get<1>(data_)}; }

 private:
  std::variant<T, error> data_;
};

}  // namespace zeal::persistence
