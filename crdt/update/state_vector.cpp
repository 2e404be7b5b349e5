#include "crdt/update/state_vector.hpp"

#include <string>

#include "crdt/lib0/decoder.hpp"
#include "crdt/lib0/encoder.hpp"

namespace zeal::crdt {

std::uint64_t state_vector::get(std::uint64_t client) const {
  auto it = clocks_.find(client);
  return it == clocks_.end() ? 0 : it->second;
}

void state_vector::set(std::uint64_t client, std::uint64_t clock) {
  clocks_[client] = clock;
}

bytes state_vector::encode() const {
  lib0::encoder enc;
  enc.write_var_uint(clocks_.size());
  for (auto it = clocks_.rbegin(); it != clocks_.rend(); ++it) {
    enc.write_var_uint(it->first);
    enc.write_var_uint(it->second);
  }
  return enc.take();
}

result<state_vector> state_vector::decode(bytes_view data) {
  try {
    lib0::decoder dec(data);
    state_vector sv;
    const auto n = dec.read_var_uint();
    if (n > dec.remaining() / 2) {
      return crdt::error{"state vector entry count " + std::to_string(n) + " exceeds the input", 0};
    }
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto client = dec.read_var_uint();
      const auto clock = dec.read_var_uint();
      sv.clocks_[client] = clock;  // a repeated client: the last entry wins (Map.set)
    }
    return sv;
  } catch (const decode_error& e) {
    return crdt::error{"state vector: " + e.err().message, e.err().offset};
  }
}

}  // namespace zeal::crdt
