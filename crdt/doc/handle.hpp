#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crdt/lib0/any.hpp"

namespace zeal::crdt {

class branch;
class doc_impl;

/// Text formatting attributes (a JS object: key → value; null removes a format).
using text_attributes = lib0::any::object;

/// Common part of the shared-type handles: a cheap value pointing into a document.
class type_handle {
 public:
  type_handle() = default;
  type_handle(doc_impl* d, std::shared_ptr<branch> b) : doc_(d), branch_(std::move(b)) {}
  bool valid() const { return doc_ != nullptr && branch_ != nullptr; }
  /// The value as doc::to_json renders it (string, object, array or XML string).
  std::string to_json() const;
  /// The value as an Any (Y.Text → string, Y.Map → object, Y.Array → array, XML → string).
  lib0::any to_any() const;
  branch* raw() const { return branch_.get(); }

 protected:
  doc_impl* doc_ = nullptr;
  std::shared_ptr<branch> branch_;
};

}  // namespace zeal::crdt
