// libFuzzer target: state vector decoding (crdt/update/state_vector.hpp) and a sync SyncStep1 around it.
#include <cstddef>
#include <cstdint>

#include "crdt/protocol/sync_message.hpp"
#include "crdt/update/state_vector.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace zeal::crdt;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bytes_view input(data, size);
  auto sv = state_vector::decode(input);
  if (!sv.ok()) {
    ZEAL_FUZZ_CHECK(sv.err().offset <= size);
    return 0;
  }
  const bytes encoded = sv->encode();
  auto again = state_vector::decode(encoded);
  ZEAL_FUZZ_CHECK(again.ok());
  ZEAL_FUZZ_CHECK(*again == *sv);
  ZEAL_FUZZ_CHECK(again->encode() == encoded);
  // Wrapped as a SyncStep1 it comes back unchanged.
  const bytes step1 = protocol::encode_sync_step1(input);
  auto m = protocol::decode_sync_message(step1);
  ZEAL_FUZZ_CHECK(m.ok());
  ZEAL_FUZZ_CHECK(m->type == protocol::sync_type::step1);
  ZEAL_FUZZ_CHECK(bytes(m->payload.begin(), m->payload.end()) == bytes(input.begin(), input.end()));
  return 0;
}
