#define CAF_SUITE actors_room_replication
// ctest-labels: unit cluster
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/dsl.hpp>

// Replication of a room to a replica store (another node's store actor): every update reaches the replica
// before it is relayed, a failing or silent replica is dropped (the room continues), a new replica gets
// the full state as a snapshot covering everything, and the room's snapshots also go to the replica.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/store_actor.hpp"
#include "actors/store_messages.hpp"
#include "persistence/rocksdb_store.hpp"
#include "tests/actors/actor_test_support.hpp"
#include "tests/temp_dir.hpp"

using namespace zeal::actors;
using namespace zeal::actors::test;
using namespace std::chrono_literals;
namespace persistence = zeal::persistence;

namespace {

enum class replica_mode { answer, gated, fail, silent };

/// A stand-in replica store: records appends and snapshots; answers appends at once, when told (ok_atom),
/// with an error, or never.
struct replica_record {
  replica_mode mode = replica_mode::answer;
  std::vector<std::pair<std::string, bytes>> appends;
  struct snapshot {
    std::string room;
    bytes state;
    std::uint64_t covered = 0;
  };
  std::vector<snapshot> snapshots;
  std::vector<std::string> order;  // "append" / "snapshot" in arrival order
  std::vector<caf::response_promise> waiting;
  std::uint64_t next_seq = 1;
};

caf::behavior replica_store(caf::event_based_actor* self, std::shared_ptr<replica_record> rec) {
  return {
      [self, rec](persistence::append_atom, const std::string& room,
                  const bytes& update) -> caf::result<std::uint64_t> {
        rec->appends.emplace_back(room, update);
        rec->order.push_back("append");
        switch (rec->mode) {
          case replica_mode::answer:
            return rec->next_seq++;
          case replica_mode::fail:
            return persistence::make_store_error("injected: replica disk full");
          case replica_mode::gated:
          case replica_mode::silent:
            break;
        }
        auto rp = self->make_response_promise();
        if (rec->mode == replica_mode::gated) rec->waiting.push_back(rp);
        return rp;
      },
      [rec](persistence::snapshot_atom, const std::string& room, const bytes& state, std::uint64_t covered) {
        rec->snapshots.push_back({room, state, covered});
        rec->order.push_back("snapshot");
        return caf::ok_atom::value;
      },
      [rec](caf::ok_atom) {
        for (auto& rp : rec->waiting) rp.deliver(rec->next_seq++);
        rec->waiting.clear();
      },
  };
}

struct fixture : actor_fixture {
  zeal::test::temp_dir tmp{"zeal_room_replication"};
  std::shared_ptr<persistence::rocksdb_store> db;
  caf::actor store;

  fixture() {
    limits.snapshot_idle = 5s;
    limits.room_timeout = 10min;
    db = open_db("db");
    store = persistence::spawn_store_actor(sys, db, false);
    run_messages();
  }

  ~fixture() override {
    for (auto& a : to_stop) caf::anon_send_exit(a, caf::exit_reason::kill);
    run_messages();
    to_stop.clear();
    for (auto& [s, d] : stores) {
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
      run_messages();
      d->close();
    }
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    run_messages();
    store = nullptr;
    db->close();
  }

  std::vector<std::pair<caf::actor, std::shared_ptr<persistence::rocksdb_store>>> stores;

  std::shared_ptr<persistence::rocksdb_store> open_db(const std::string& name) {
    auto r = persistence::rocksdb_store::open({tmp.path() + "/" + name, false, true});
    if (!r) CAF_FAIL("open failed: " << r.error_message());
    return std::shared_ptr<persistence::rocksdb_store>{std::move(r).value()};
  }

  /// A second real store actor (another node's store).
  std::pair<caf::actor, std::shared_ptr<persistence::rocksdb_store>> make_real_replica() {
    auto d = open_db("replica" + std::to_string(stores.size()));
    auto s = persistence::spawn_store_actor(sys, d, false);
    stores.emplace_back(s, d);
    run_messages();
    return {s, d};
  }

  std::pair<caf::actor, std::shared_ptr<replica_record>> make_replica(replica_mode mode) {
    auto rec = std::make_shared<replica_record>();
    rec->mode = mode;
    auto a = sys.spawn(replica_store, rec);
    to_stop.push_back(a);
    return {a, rec};
  }

  caf::actor make_replicated_room(std::string name, caf::actor replica, caf::actor st = {},
                                  bool stored = true) {
    room_params p;
    p.name = std::move(name);
    p.limits = limits;
    p.metrics = metrics;
    p.store = stored ? (st ? st : store) : caf::actor{};
    p.replica_store = std::move(replica);
    auto r = spawn_room_actor(sys, std::move(p));
    to_stop.push_back(r);
    run_messages();
    return r;
  }

  static std::string text_of(const persistence::room_data& data) {
    zeal::crdt::doc d;
    if (data.snapshot) CAF_REQUIRE(d.apply_update(*data.snapshot));
    for (const auto& e : data.log) CAF_REQUIRE(d.apply_update(e.update));
    return d.get_text("t").to_string();
  }

  static std::string text_of_update(const bytes& update) {
    zeal::crdt::doc d;
    CAF_REQUIRE(d.apply_update(update));
    return d.get_text("t").to_string();
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(room_replication_tests, fixture)

CAF_TEST(each update reaches the replica before it is relayed) {
  auto [replica, rrec] = make_replica(replica_mode::gated);
  auto room = make_replicated_room("r", replica);
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  arec->frames.clear();
  doc_writer w{11};
  auto u = w.insert(0, "hello");
  send_frame(room, 1, update_frame(u));
  run_messages();
  // Stored locally, sent to the replica, not relayed yet.
  CAF_REQUIRE_EQUAL(rrec->appends.size(), 1u);
  CAF_CHECK_EQUAL(rrec->appends[0].first, "r");
  CAF_CHECK(rrec->appends[0].second == u);
  CAF_CHECK_EQUAL(db->load("r")->log.size(), 1u);
  CAF_CHECK(arec->frames.empty());
  CAF_CHECK_EQUAL(metrics->cluster_replication_appends_total.load(), 0u);
  caf::anon_send(replica, caf::ok_atom::value);
  run_messages();
  CAF_REQUIRE_EQUAL(arec->frames.size(), 1u);
  CAF_CHECK(arec->frames[0] == update_frame(u));
  CAF_CHECK_EQUAL(metrics->cluster_replication_appends_total.load(), 1u);
  CAF_CHECK_EQUAL(metrics->cluster_replication_failures_total.load(), 0u);
}

CAF_TEST(an in memory room replicates too) {
  auto [replica, rrec] = make_replica(replica_mode::gated);
  auto room = make_replicated_room("mem", replica, {}, false);
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  arec->frames.clear();
  doc_writer w{12};
  auto u = w.insert(0, "x");
  send_frame(room, 1, update_frame(u));
  run_messages();
  CAF_REQUIRE_EQUAL(rrec->appends.size(), 1u);
  CAF_CHECK(arec->frames.empty());
  caf::anon_send(replica, caf::ok_atom::value);
  run_messages();
  CAF_CHECK_EQUAL(arec->frames.size(), 1u);
}

CAF_TEST(a failing replica is dropped and the room continues) {
  auto [replica, rrec] = make_replica(replica_mode::fail);
  auto room = make_replicated_room("f", replica);
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  arec->frames.clear();
  doc_writer w{13};
  auto u1 = w.insert(0, "one");
  send_frame(room, 1, update_frame(u1));
  run_messages();
  CAF_REQUIRE_EQUAL(arec->frames.size(), 1u);
  CAF_CHECK(arec->frames[0] == update_frame(u1));
  CAF_CHECK_EQUAL(metrics->cluster_replication_failures_total.load(), 1u);
  CAF_CHECK_EQUAL(metrics->cluster_replication_appends_total.load(), 0u);
  // Dropped: later updates go to the local store only.
  send_frame(room, 1, update_frame(w.insert(3, " two")));
  run_messages();
  CAF_CHECK_EQUAL(rrec->appends.size(), 1u);
  CAF_CHECK_EQUAL(arec->frames.size(), 2u);
  CAF_CHECK_EQUAL(text_of(*db->load("f")), "one two");
  CAF_CHECK_EQUAL(metrics->cluster_replication_failures_total.load(), 1u);
  // The next replica_atom gives it a replica again (with the full state first).
  auto [replica2, rrec2] = make_replica(replica_mode::answer);
  caf::anon_send(room, replica_atom::value, replica2);
  run_messages();
  CAF_REQUIRE_EQUAL(rrec2->snapshots.size(), 1u);
  CAF_CHECK_EQUAL(text_of_update(rrec2->snapshots[0].state), "one two");
}

CAF_TEST(a replica that does not answer times out and the room continues) {
  auto [replica, rrec] = make_replica(replica_mode::silent);
  auto room = make_replicated_room("t", replica);
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  arec->frames.clear();
  doc_writer w{14};
  auto u = w.insert(0, "slow");
  send_frame(room, 1, update_frame(u));
  run_messages();
  CAF_CHECK(arec->frames.empty());
  advance_time(1s);
  run_messages();
  CAF_CHECK(arec->frames.empty());
  advance_time(1s);
  run_messages();
  CAF_REQUIRE_EQUAL(arec->frames.size(), 1u);
  CAF_CHECK(arec->frames[0] == update_frame(u));
  CAF_CHECK_EQUAL(metrics->cluster_replication_failures_total.load(), 1u);
  send_frame(room, 1, update_frame(w.insert(0, ">")));
  run_messages();
  CAF_CHECK_EQUAL(arec->frames.size(), 2u);  // no replica any more: relayed at once
  CAF_CHECK_EQUAL(rrec->appends.size(), 1u);
}

CAF_TEST(a new replica gets the full state with covers_all before later appends) {
  auto room = make_replicated_room("n", {});
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  doc_writer w{15};
  send_frame(room, 1, update_frame(w.insert(0, "before")));
  run_messages();
  auto [replica, rrec] = make_replica(replica_mode::answer);
  caf::anon_send(room, replica_atom::value, replica);
  send_frame(room, 1, update_frame(w.insert(6, " after")));
  run_messages();
  CAF_REQUIRE_EQUAL(rrec->snapshots.size(), 1u);
  CAF_CHECK_EQUAL(rrec->snapshots[0].room, "n");
  CAF_CHECK_EQUAL(rrec->snapshots[0].covered, persistence::covers_all);
  CAF_CHECK_EQUAL(text_of_update(rrec->snapshots[0].state), "before");
  CAF_CHECK_EQUAL(rrec->order, (std::vector<std::string>{"snapshot", "append"}));
  CAF_CHECK_EQUAL(metrics->cluster_replication_appends_total.load(), 1u);
  // The same replica again changes nothing; null removes it.
  caf::anon_send(room, replica_atom::value, replica);
  run_messages();
  CAF_CHECK_EQUAL(rrec->snapshots.size(), 1u);
  caf::anon_send(room, replica_atom::value, caf::actor{});
  send_frame(room, 1, update_frame(w.insert(0, "!")));
  run_messages();
  CAF_CHECK_EQUAL(rrec->appends.size(), 1u);
}

CAF_TEST(a room spawned with a replica ships its stored state to it) {
  doc_writer w{16};
  CAF_REQUIRE(db->append("loaded", w.insert(0, "on disk")));
  auto [replica, rrec] = make_replica(replica_mode::answer);
  make_replicated_room("loaded", replica);
  CAF_REQUIRE_EQUAL(rrec->snapshots.size(), 1u);
  CAF_CHECK_EQUAL(rrec->snapshots[0].covered, persistence::covers_all);
  CAF_CHECK_EQUAL(text_of_update(rrec->snapshots[0].state), "on disk");
  // An empty room has nothing to ship.
  auto [replica2, rrec2] = make_replica(replica_mode::answer);
  make_replicated_room("empty", replica2);
  CAF_CHECK(rrec2->snapshots.empty());
}

CAF_TEST(the room snapshot also goes to the replica) {
  auto [replica, rrec] = make_replica(replica_mode::answer);
  auto room = make_replicated_room("s", replica);
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  doc_writer w{17};
  for (int i = 0; i < 3; ++i) send_frame(room, 1, update_frame(w.insert(0, "x")));
  run_messages();
  CAF_CHECK(rrec->snapshots.empty());
  advance_time(5s);
  run_messages();
  auto local = *db->load("s");
  CAF_REQUIRE(local.snapshot.has_value());
  CAF_CHECK_EQUAL(local.snapshot_seq, 3u);
  CAF_REQUIRE_EQUAL(rrec->snapshots.size(), 1u);
  CAF_CHECK_EQUAL(rrec->snapshots[0].covered, persistence::covers_all);
  CAF_CHECK(rrec->snapshots[0].state == *local.snapshot);
}

CAF_TEST(a real replica store ends up with the room data) {
  auto [replica, rdb] = make_real_replica();
  auto room = make_replicated_room("real", replica);
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  doc_writer w{18};
  for (int i = 0; i < 4; ++i) send_frame(room, 1, update_frame(w.insert(0, "ab")));
  run_messages();
  CAF_CHECK_EQUAL(metrics->cluster_replication_appends_total.load(), 4u);
  CAF_CHECK_EQUAL(rdb->load("real")->log.size(), 4u);
  advance_time(5s);
  run_messages();
  auto data = *rdb->load("real");
  CAF_REQUIRE(data.snapshot.has_value());
  CAF_CHECK(data.log.empty());
  CAF_CHECK_EQUAL(data.snapshot_seq, 4u);
  CAF_CHECK_EQUAL(text_of(data), "abababab");
  // A new replica that already holds entries of its own: the snapshot covers all of them.
  auto [replica2, rdb2] = make_real_replica();
  doc_writer other{19};
  CAF_REQUIRE(rdb2->append("real", other.insert(0, "old")));
  CAF_REQUIRE(rdb2->append("real", other.insert(0, "er")));
  caf::anon_send(room, replica_atom::value, replica2);
  run_messages();
  auto data2 = *rdb2->load("real");
  CAF_REQUIRE(data2.snapshot.has_value());
  CAF_CHECK(data2.log.empty());
  CAF_CHECK_EQUAL(data2.snapshot_seq, 2u);
  CAF_CHECK_EQUAL(text_of(data2), "abababab");
}

CAF_TEST_FIXTURE_SCOPE_END()
