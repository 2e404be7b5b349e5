// libFuzzer target: v2 updates through decode/encode/merge/diff/state vector/convert (crdt/update).
#include "tests/fuzz/update_invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  zeal::fuzz::check_update(data, size, zeal::crdt::update_format::v2);
  return 0;
}
