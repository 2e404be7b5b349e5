#pragma once

#include <string>

#include "crdt/update/update.hpp"

namespace zeal::ydoc {

/// A human-readable listing of an update's structs and delete set.
std::string dump_update(const crdt::decoded_update& u, crdt::update_format format, std::size_t byte_size);

}  // namespace zeal::ydoc
