// libFuzzer target: applying an update to a document (crdt/doc/doc.hpp). The first byte picks the format
// (bit 0: v2) and whether GC is on (bit 1: off); the rest is the update.
#include <cstddef>
#include <cstdint>

#include "crdt/doc/doc.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace zeal::crdt;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto format = (data[0] & 1) ? update_format::v2 : update_format::v1;
  doc_options opts;
  opts.client_id = 1;
  opts.gc = (data[0] & 2) == 0;
  const bytes_view update(data + 1, size - 1);
  doc d(opts);
  const bytes before = d.encode_state_as_update(update_format::v1);
  auto st = d.apply_update(update, format);
  if (!st.ok()) {
    ZEAL_FUZZ_CHECK(st.err().offset <= update.size());
    // Atomic: a rejected update leaves the document as it was.
    ZEAL_FUZZ_CHECK(d.encode_state_as_update(update_format::v1) == before);
    return 0;
  }
  const bytes v1 = d.encode_state_as_update(update_format::v1);
  const bytes v2 = d.encode_state_as_update(update_format::v2);
  const auto json = d.to_json();
  // The encoded state loads into a fresh document that encodes and reads the same.
  for (auto [bytes_, fmt] : {std::pair{&v1, update_format::v1}, std::pair{&v2, update_format::v2}}) {
    doc copy(opts);
    ZEAL_FUZZ_CHECK(copy.apply_update(*bytes_, fmt).ok());
    ZEAL_FUZZ_CHECK(copy.encode_state_as_update(update_format::v1) == v1);
    ZEAL_FUZZ_CHECK(copy.to_json() == json);
    ZEAL_FUZZ_CHECK(copy.state_vector() == d.state_vector());
  }
  // The diff against our own state vector applies to the original as a no-op.
  auto diff = d.encode_state_as_update(d.state_vector().encode(), update_format::v1);
  ZEAL_FUZZ_CHECK(diff.ok());
  ZEAL_FUZZ_CHECK(d.apply_update(*diff, update_format::v1).ok());
  ZEAL_FUZZ_CHECK(d.to_json() == json);
  // Applying the same update again is idempotent.
  ZEAL_FUZZ_CHECK(d.apply_update(update, format).ok());
  ZEAL_FUZZ_CHECK(d.to_json() == json);
  ZEAL_FUZZ_CHECK(d.encode_state_as_update(update_format::v1) == v1);
  return 0;
}
