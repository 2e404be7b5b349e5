// Handle read accessors shared by all types.
#include "crdt/doc/doc_impl.hpp"
#include "crdt/doc/read.hpp"

namespace zeal::crdt {

std::string type_handle::to_json() const {
  std::string out;
  if (branch_) write_json(out, branch_to_any(branch_.get()));
  return out;
}

lib0::any type_handle::to_any() const { return branch_ ? branch_to_any(branch_.get()) : lib0::any(); }

}  // namespace zeal::crdt
