// libFuzzer target: Hocuspocus frames (crdt/protocol/hocuspocus.hpp), their sync and awareness payloads.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "crdt/protocol/awareness.hpp"
#include "crdt/protocol/hocuspocus.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::protocol;
namespace hp = zeal::crdt::protocol::hocuspocus;

namespace {

bool same_bytes(bytes_view a, bytes_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

bool same(const hp::message& a, const hp::message& b) {
  if (a.type != b.type || a.document_name != b.document_name) return false;
  switch (a.type) {
    case hp::message_type::sync:
    case hp::message_type::sync_reply:
      return a.sync.type == b.sync.type && same_bytes(a.sync.payload, b.sync.payload);
    case hp::message_type::awareness:
      return same_bytes(a.awareness, b.awareness);
    case hp::message_type::auth:
      return a.auth.type == b.auth.type && a.auth.has_token == b.auth.has_token &&
             a.auth.token == b.auth.token && a.auth.has_provider_version == b.auth.has_provider_version &&
             a.auth.provider_version == b.auth.provider_version && a.auth.reason == b.auth.reason &&
             a.auth.scope == b.auth.scope;
    case hp::message_type::stateless:
    case hp::message_type::broadcast_stateless:
    case hp::message_type::close:
      return a.has_text == b.has_text && a.text == b.text;
    case hp::message_type::sync_status:
      return a.applied == b.applied;
    default:
      return true;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bytes_view input(data, size);
  auto m = hp::decode_message(input);
  if (!m.ok()) {
    ZEAL_FUZZ_CHECK(m.err().offset <= size);
    return 0;
  }
  // lib0 accepts overlong varUints: the re-encoding may be shorter, never longer, and decodes the same.
  const bytes re = hp::encode_message(*m);
  ZEAL_FUZZ_CHECK(re.size() <= size);
  if (m->type == hp::message_type::ping || m->type == hp::message_type::pong) ZEAL_FUZZ_CHECK(size == 1);
  auto again = hp::decode_message(re);
  ZEAL_FUZZ_CHECK(again.ok());
  ZEAL_FUZZ_CHECK(again->type == m->type);
  ZEAL_FUZZ_CHECK(same(*again, *m));
  ZEAL_FUZZ_CHECK(hp::encode_message(*again) == re);
  const auto key = hp::split_document_name(m->document_name);
  ZEAL_FUZZ_CHECK(key.document_name.size() + key.session_id.size() + (key.has_session ? 1 : 0) ==
                  m->document_name.size());
  if (m->type == hp::message_type::awareness) {
    ZEAL_FUZZ_CHECK(m->awareness.data() == data + m->awareness_offset);
    awareness table;
    auto r = table.apply_update(m->awareness, 7, std::chrono::milliseconds(0), m->awareness_offset);
    if (r.ok()) {
      const std::size_t held = table.size();
      auto removal = table.remove_connection(7, std::chrono::milliseconds(1));
      ZEAL_FUZZ_CHECK(table.size() == 0);
      ZEAL_FUZZ_CHECK(removal.clients.size() == held);
    } else {
      ZEAL_FUZZ_CHECK(r.err().offset >= m->awareness_offset && r.err().offset <= size);
    }
  }
  return 0;
}
