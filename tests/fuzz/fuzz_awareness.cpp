// libFuzzer target: awareness updates and the server-side awareness table (crdt/protocol/awareness.hpp).
// The input is applied as one update; then it is also run as a little program against a table with small
// limits: op byte b, b % 4 = 0 apply the next (next byte) bytes on connection b/4 % 4, 1 remove that
// connection, 2 advance time by (next byte) × 250 ms and expire, 3 check the whole table.
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "crdt/protocol/awareness.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::protocol;
using std::chrono::milliseconds;

namespace {

void check_removal(const awareness_removal& r) {
  if (r.clients.empty()) {
    ZEAL_FUZZ_CHECK(r.update.empty());
    return;
  }
  auto entries = decode_awareness_update(r.update, 1 << 20, 1 << 20);
  ZEAL_FUZZ_CHECK(entries.ok());
  ZEAL_FUZZ_CHECK(entries->size() == r.clients.size());
  for (std::size_t i = 0; i < entries->size(); ++i) {
    ZEAL_FUZZ_CHECK((*entries)[i].client == r.clients[i]);
    ZEAL_FUZZ_CHECK(is_json_null((*entries)[i].state_json));
  }
}

void check_table(const awareness& t) {
  const auto clients = t.clients();
  ZEAL_FUZZ_CHECK(clients.size() == t.size());
  ZEAL_FUZZ_CHECK(t.size() <= t.entry_count());
  ZEAL_FUZZ_CHECK(t.entry_count() <= t.config().max_clients);
  for (auto c : clients) {
    ZEAL_FUZZ_CHECK(t.state(c).has_value());
    ZEAL_FUZZ_CHECK(t.clock(c).has_value());
    ZEAL_FUZZ_CHECK(!is_json_null(*t.state(c)));
    auto owner = t.owner(c);
    ZEAL_FUZZ_CHECK(owner.has_value());
  }
  for (connection_id conn = 0; conn < 4; ++conn) {
    const auto owned = t.connection_clients(conn);
    ZEAL_FUZZ_CHECK(owned.size() <= t.config().max_clients_per_connection);
    for (auto c : owned) {
      ZEAL_FUZZ_CHECK(t.owner(c) == conn);
      ZEAL_FUZZ_CHECK(t.state(c).has_value());
    }
  }
  // The full state re-applied to a fresh table gives the same full state.
  const bytes all = t.encode_all();
  awareness_config big;
  big.max_clients_per_connection = big.max_clients;
  awareness fresh(big);
  auto r = fresh.apply_update(all, 0, milliseconds(0));
  ZEAL_FUZZ_CHECK(r.ok());
  ZEAL_FUZZ_CHECK(r->added.size() == clients.size());
  ZEAL_FUZZ_CHECK(fresh.encode_all() == all);
  ZEAL_FUZZ_CHECK(t.encode_clients(clients) == all);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bytes_view input(data, size);
  {
    awareness_config loose;
    loose.max_clients_per_connection = loose.max_entries_per_update;
    awareness table(loose);
    auto decoded =
        decode_awareness_update(input, table.config().max_entries_per_update, table.config().max_state_bytes);
    auto r = table.apply_update(input, 1, milliseconds(1000));
    ZEAL_FUZZ_CHECK(r.ok() == decoded.ok());  // the default limits are far from one update's reach
    if (r.ok()) {
      check_table(table);
      // Applying the same update again changes nothing, except that a null at an equal clock is then
      // rejected too: never anything added or updated.
      auto again = table.apply_update(input, 2, milliseconds(2000));
      ZEAL_FUZZ_CHECK(again.ok());
      ZEAL_FUZZ_CHECK(again->added.empty() && again->updated.empty());
      check_removal(table.remove_connection(1, milliseconds(3000)));
      ZEAL_FUZZ_CHECK(table.size() == 0);  // connection 2 took over nothing
      check_removal(table.expire(milliseconds(100000)));
      ZEAL_FUZZ_CHECK(table.entry_count() == 0);  // tombstones expired too
    } else {
      ZEAL_FUZZ_CHECK(r.err().offset <= size);
      ZEAL_FUZZ_CHECK(table.size() == 0 && table.entry_count() == 0);
    }
  }
  awareness_config cfg;
  cfg.timeout = milliseconds(3000);
  cfg.max_entries_per_update = 8;
  cfg.max_state_bytes = 64;
  cfg.max_clients_per_connection = 4;
  cfg.max_clients = 10;
  cfg.removal_clock_increment = size % 2;
  awareness table(cfg);
  auto now = awareness::to_time(milliseconds(0));
  std::size_t pos = 0;
  while (pos < size) {
    const std::uint8_t op = data[pos++];
    const connection_id conn = (op >> 2) % 4;
    switch (op % 4) {
      case 0: {
        std::size_t len = pos < size ? data[pos++] : 0;
        if (len > size - pos) len = size - pos;
        auto r = table.apply_update(input.subspan(pos, len), conn, now, pos);
        if (!r.ok()) ZEAL_FUZZ_CHECK(r.err().offset >= pos && r.err().offset <= pos + len);
        pos += len;
        break;
      }
      case 1:
        check_removal(table.remove_connection(conn, now));
        ZEAL_FUZZ_CHECK(table.connection_clients(conn).empty());
        break;
      case 2: {
        const std::uint8_t step = pos < size ? data[pos++] : 0;
        now += milliseconds(250) * step;
        check_removal(table.expire(now));
        break;
      }
      default:
        check_table(table);
        break;
    }
  }
  check_table(table);
  return 0;
}
