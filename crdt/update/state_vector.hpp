#pragma once

#include <cstdint>
#include <map>

#include "crdt/lib0/bytes.hpp"
#include "crdt/lib0/error.hpp"

namespace zeal::crdt {

/// client → next expected clock. Encoded (v1 and v2 alike) as varUint n, n×(client, clock), descending.
class state_vector {
 public:
  std::uint64_t get(std::uint64_t client) const;
  void set(std::uint64_t client, std::uint64_t clock);
  bool empty() const { return clocks_.empty(); }
  const std::map<std::uint64_t, std::uint64_t>& clocks() const { return clocks_; }

  bytes encode() const;
  static result<state_vector> decode(bytes_view data);

  friend bool operator==(const state_vector&, const state_vector&) = default;

 private:
  std::map<std::uint64_t, std::uint64_t> clocks_;
};

}  // namespace zeal::crdt
