// libFuzzer target: y-protocols sync messages and y-websocket frames (crdt/protocol).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "crdt/protocol/awareness.hpp"
#include "crdt/protocol/message.hpp"
#include "crdt/protocol/sync_message.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::protocol;

namespace {

bool same_bytes(bytes_view a, bytes_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// Decoded messages compare by content (lib0 accepts overlong varUints, so re-encoding may be shorter).
bool same(const message& a, const message& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case message_type::sync:
      return a.sync.type == b.sync.type && same_bytes(a.sync.payload, b.sync.payload);
    case message_type::awareness:
      return same_bytes(a.awareness, b.awareness);
    case message_type::auth:
      return a.auth.type == b.auth.type && a.auth.reason == b.auth.reason;
    case message_type::query_awareness:
      return true;
    case message_type::custom:
      return same_bytes(a.custom, b.custom);
  }
  return false;
}

bool inside(bytes_view v, bytes_view whole) {
  return v.empty() || (v.data() >= whole.data() && v.data() + v.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bytes_view input(data, size);
  auto s = decode_sync_message(input);
  if (s.ok()) {
    ZEAL_FUZZ_CHECK(inside(s->payload, input));
    const bytes encoded = encode_sync_message(s->type, s->payload);
    auto again = decode_sync_message(encoded);
    ZEAL_FUZZ_CHECK(again.ok());
    ZEAL_FUZZ_CHECK(again->type == s->type && same_bytes(again->payload, s->payload));
  } else {
    ZEAL_FUZZ_CHECK(s.err().offset <= size);
  }
  auto m = decode_message(input);
  if (!m.ok()) {
    ZEAL_FUZZ_CHECK(m.err().offset <= size);
    return 0;
  }
  const bytes re = encode_message(*m);
  ZEAL_FUZZ_CHECK(re.size() <= size);
  if (m->type == message_type::sync) ZEAL_FUZZ_CHECK(inside(m->sync.payload, input));
  if (m->type == message_type::awareness) {
    ZEAL_FUZZ_CHECK(inside(m->awareness, input));
    ZEAL_FUZZ_CHECK(m->awareness.data() == data + m->awareness_offset);
    awareness table;
    auto r = table.apply_update(m->awareness, 1, std::chrono::milliseconds(0), m->awareness_offset);
    if (!r.ok()) ZEAL_FUZZ_CHECK(r.err().offset >= m->awareness_offset && r.err().offset <= size);
  }
  auto again = decode_message(re);
  ZEAL_FUZZ_CHECK(again.ok());
  ZEAL_FUZZ_CHECK(same(*again, *m));
  ZEAL_FUZZ_CHECK(encode_message(*again) == re);
  return 0;
}
