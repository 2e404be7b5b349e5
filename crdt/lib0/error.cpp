#include "crdt/lib0/error.hpp"

namespace zeal::crdt {

std::string error::to_string() const {
  return message + " at byte " + std::to_string(offset);
}

}  // namespace zeal::crdt
