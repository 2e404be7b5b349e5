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
  // The encoded state loads into fresh documents; v1 and v2 give the same document. (Byte or content
  // equality with `d` itself is not an invariant: for self-contradicting updates Yjs's re-encoded state
  // integrates differently too, see corpus/fuzz_doc_apply/yjs-diff-reencode-origin.bin.)
  doc copy1(opts);
  ZEAL_FUZZ_CHECK(copy1.apply_update(v1, update_format::v1).ok());
  doc copy2(opts);
  ZEAL_FUZZ_CHECK(copy2.apply_update(v2, update_format::v2).ok());
  ZEAL_FUZZ_CHECK(copy1.to_json() == copy2.to_json());
  ZEAL_FUZZ_CHECK(copy1.state_vector() == d.state_vector());
  ZEAL_FUZZ_CHECK(copy2.state_vector() == d.state_vector());
  ZEAL_FUZZ_CHECK(copy1.encode_state_as_update(update_format::v1) ==
                  copy2.encode_state_as_update(update_format::v1));
  // The diff against our own state vector and the update itself apply again.
  auto diff = d.encode_state_as_update(d.state_vector().encode(), update_format::v1);
  ZEAL_FUZZ_CHECK(diff.ok());
  ZEAL_FUZZ_CHECK(d.apply_update(*diff, update_format::v1).ok());
  ZEAL_FUZZ_CHECK(d.apply_update(update, format).ok());
  ZEAL_FUZZ_CHECK(d.state_vector() == copy1.state_vector());
  return 0;
}
