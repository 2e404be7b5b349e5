#define CAF_SUITE actors_store_actor
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/dsl.hpp>

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/messages.hpp"
#include "actors/store_actor.hpp"
#include "actors/store_messages.hpp"
#include "persistence/rocksdb_store.hpp"
#include "tests/actors/round_trip.hpp"
#include "tests/temp_dir.hpp"

using namespace zeal::persistence;

namespace {

struct store_actor_test_config : caf::actor_system_config {
  store_actor_test_config() {
    add_message_types<caf::id_block::zeal>();
    add_message_types<caf::id_block::zeal_persistence>();
  }
};

/// What self->request(...) returns for an append (blocking response handle of the scoped actor).
using append_handle = decltype(std::declval<caf::scoped_actor&>()->request(
    std::declval<caf::actor>(), caf::infinite, append_atom::value, std::string{}, bytes{}));

bytes b(std::string_view s) {
  return bytes(s.begin(), s.end());
}

/// Forwards to a real store, counts append_batch calls (and their sizes) and fails on demand.
class counting_store final : public store {
 public:
  explicit counting_store(std::shared_ptr<store> inner) : inner_(std::move(inner)) {}

  std::vector<std::size_t> batch_sizes;
  bool fail = false;

  result<room_data> load(std::string_view room) override {
    if (fail) return error{"injected load failure room=" + std::string{room}};
    return inner_->load(room);
  }
  result<seq_t> append(std::string_view room, bytes_view update) override {
    if (fail) return error{"injected append failure room=" + std::string{room}};
    return inner_->append(room, update);
  }
  result<std::vector<seq_t>> append_batch(const std::vector<pending_update>& updates) override {
    batch_sizes.push_back(updates.size());
    if (fail) return error{"injected append_batch failure"};
    return inner_->append_batch(updates);
  }
  status write_snapshot(std::string_view room, bytes_view state, seq_t covered) override {
    if (fail) return error{"injected snapshot failure room=" + std::string{room}};
    return inner_->write_snapshot(room, state, covered);
  }
  status remove_room(std::string_view room) override {
    if (fail) return error{"injected remove failure room=" + std::string{room}};
    return inner_->remove_room(room);
  }
  result<bool> has_room(std::string_view room) override { return inner_->has_room(room); }
  result<std::vector<std::string>> list_rooms() override { return inner_->list_rooms(); }
  result<store_statistics> stats() override {
    if (fail) return error{"injected stats failure"};
    return inner_->stats();
  }
  result<room_statistics> room_stats(std::string_view room) override { return inner_->room_stats(room); }

 private:
  std::shared_ptr<store> inner_;
};

struct fixture : ::test_coordinator_fixture<store_actor_test_config> {
  zeal::test::temp_dir tmp{"zeal_store_actor"};
  std::string dir = tmp.path();
  std::shared_ptr<rocksdb_store> db;
  std::shared_ptr<counting_store> counting;
  caf::actor actor;

  fixture() {
    CAF_REQUIRE(!dir.empty());
    auto r = rocksdb_store::open({dir + "/db", false, true});
    if (!r) CAF_FAIL("open failed: " << r.error_message());
    db = std::shared_ptr<rocksdb_store>{std::move(r).value()};
    counting = std::make_shared<counting_store>(db);
    actor = spawn_store_actor(sys, counting, false);
    sched.run();
  }

  ~fixture() override {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    sched.run();
    actor = nullptr;
    counting.reset();
    if (db) db->close();
    db.reset();
  }

  template <class T, class... Ts>
  T ask(Ts&&... xs) {
    auto rh = self->request(actor, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    T out{};
    rh.receive([&](T& x) { out = std::move(x); },
               [&](caf::error& err) { CAF_FAIL("request failed: " << store_error_message(err)); });
    return out;
  }

  template <class... Ts>
  caf::error ask_error(Ts&&... xs) {
    auto rh = self->request(actor, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    caf::error out;
    rh.receive([&](caf::message&) { CAF_FAIL("expected an error"); },
               [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  std::uint64_t append(const std::string& room, std::string_view update) {
    return ask<std::uint64_t>(append_atom::value, room, b(update));
  }

  /// Sends `n` appends to `room` before the actor runs, then runs it; returns the replies in order.
  std::vector<std::uint64_t> append_many(const std::string& room, int n) {
    std::vector<append_handle> handles;
    for (int i = 0; i < n; ++i)
      handles.push_back(
          self->request(actor, caf::infinite, append_atom::value, room, b(room + "-u" + std::to_string(i))));
    sched.run();
    std::vector<std::uint64_t> out;
    for (auto& rh : handles)
      rh.receive([&](std::uint64_t seq) { out.push_back(seq); },
                 [&](caf::error& err) { CAF_FAIL("append failed: " << store_error_message(err)); });
    return out;
  }
};

std::vector<std::string> strings_of(const std::vector<log_entry>& log) {
  std::vector<std::string> out;
  for (const auto& e : log) out.emplace_back(e.update.begin(), e.update.end());
  return out;
}

}  // namespace

CAF_TEST_FIXTURE_SCOPE(store_actor_tests, fixture)

CAF_TEST(appends get increasing sequence numbers per room) {
  CAF_CHECK_EQUAL(append("a", "1"), 1u);
  CAF_CHECK_EQUAL(append("a", "2"), 2u);
  CAF_CHECK_EQUAL(append("b", "1"), 1u);
  CAF_CHECK_EQUAL(append("a", "3"), 3u);
  // One append at a time: one batch each.
  CAF_CHECK_EQUAL(counting->batch_sizes.size(), 4u);
}

CAF_TEST(appends queued before the actor runs are written in one batch) {
  auto seqs = append_many("room", 5);
  CAF_CHECK_EQUAL(seqs, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  CAF_CHECK_EQUAL(counting->batch_sizes, (std::vector<std::size_t>{5}));
  auto rec = ask<room_record>(load_atom::value, std::string{"room"});
  CAF_CHECK_EQUAL(strings_of(rec.log),
                  (std::vector<std::string>{"room-u0", "room-u1", "room-u2", "room-u3", "room-u4"}));
}

CAF_TEST(a full batch is written early) {
  store_actor_options options;
  options.detached = false;
  options.max_batch_entries = 2;
  auto small = spawn_store_actor(sys, counting, options);
  std::vector<append_handle> handles;
  for (int i = 0; i < 5; ++i)
    handles.push_back(self->request(small, caf::infinite, append_atom::value, std::string{"r"}, b("x")));
  sched.run();
  std::vector<std::uint64_t> seqs;
  for (auto& rh : handles)
    rh.receive([&](std::uint64_t seq) { seqs.push_back(seq); },
               [&](caf::error& err) { CAF_FAIL("append failed: " << store_error_message(err)); });
  CAF_CHECK_EQUAL(seqs, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  CAF_CHECK_EQUAL(counting->batch_sizes, (std::vector<std::size_t>{2, 2, 1}));
  caf::anon_send_exit(small, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(a batch over the byte limit is written early) {
  store_actor_options options;
  options.detached = false;
  options.max_batch_bytes = 10;
  auto small = spawn_store_actor(sys, counting, options);
  std::vector<append_handle> handles;
  for (int i = 0; i < 4; ++i)
    handles.push_back(self->request(small, caf::infinite, append_atom::value, std::string{"r"}, b("123456")));
  sched.run();
  for (auto& rh : handles)
    rh.receive([](std::uint64_t) {},
               [&](caf::error& err) { CAF_FAIL("append failed: " << store_error_message(err)); });
  CAF_CHECK_EQUAL(counting->batch_sizes, (std::vector<std::size_t>{2, 2}));
  caf::anon_send_exit(small, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(a load sees every append accepted before it) {
  append("other", "o1");
  // Appends and then a load, all queued before the actor runs: the load flushes the open batch.
  auto a1 = self->request(actor, caf::infinite, append_atom::value, std::string{"r"}, b("x1"));
  auto a2 = self->request(actor, caf::infinite, append_atom::value, std::string{"r"}, b("x2"));
  auto ld = self->request(actor, caf::infinite, load_atom::value, std::string{"r"});
  sched.run();
  a1.receive([](std::uint64_t seq) { CAF_CHECK_EQUAL(seq, 1u); },
             [](caf::error& err) { CAF_FAIL(store_error_message(err)); });
  a2.receive([](std::uint64_t seq) { CAF_CHECK_EQUAL(seq, 2u); },
             [](caf::error& err) { CAF_FAIL(store_error_message(err)); });
  room_record rec;
  ld.receive([&](room_record& r) { rec = std::move(r); },
             [](caf::error& err) { CAF_FAIL(store_error_message(err)); });
  CAF_CHECK(!rec.has_snapshot);
  CAF_CHECK_EQUAL(rec.covered, 0u);
  CAF_CHECK_EQUAL(rec.last_seq, 2u);
  CAF_CHECK_EQUAL(strings_of(rec.log), (std::vector<std::string>{"x1", "x2"}));
  // The flush message of that batch comes later and finds nothing to write.
  CAF_CHECK_EQUAL(counting->batch_sizes, (std::vector<std::size_t>{1, 2}));
  auto empty = ask<room_record>(load_atom::value, std::string{"never"});
  CAF_CHECK(!empty.has_snapshot);
  CAF_CHECK(empty.log.empty());
  CAF_CHECK_EQUAL(empty.last_seq, 0u);
}

CAF_TEST(snapshot replaces the covered log entries) {
  append_many("doc", 3);
  ask<caf::ok_atom>(snapshot_atom::value, std::string{"doc"}, b("STATE"), std::uint64_t{2});
  append("doc", "later");
  auto rec = ask<room_record>(load_atom::value, std::string{"doc"});
  CAF_CHECK(rec.has_snapshot);
  CAF_CHECK_EQUAL(std::string(rec.snapshot.begin(), rec.snapshot.end()), "STATE");
  CAF_CHECK_EQUAL(rec.covered, 2u);
  CAF_CHECK_EQUAL(strings_of(rec.log), (std::vector<std::string>{"doc-u2", "later"}));
  CAF_CHECK_EQUAL(rec.last_seq, 4u);
  // A snapshot of everything leaves an empty log but keeps last_seq.
  ask<caf::ok_atom>(snapshot_atom::value, std::string{"doc"}, b("ALL"), std::uint64_t{4});
  rec = ask<room_record>(load_atom::value, std::string{"doc"});
  CAF_CHECK(rec.has_snapshot);
  CAF_CHECK(rec.log.empty());
  CAF_CHECK_EQUAL(rec.covered, 4u);
  CAF_CHECK_EQUAL(rec.last_seq, 4u);
  CAF_CHECK_EQUAL(append("doc", "next"), 5u);
}

CAF_TEST(a snapshot covering all covers every entry stored so far) {
  append_many("rep", 3);
  ask<caf::ok_atom>(snapshot_atom::value, std::string{"rep"}, b("ALL"), covers_all);
  auto rec = ask<room_record>(load_atom::value, std::string{"rep"});
  CAF_CHECK(rec.has_snapshot);
  CAF_CHECK_EQUAL(std::string(rec.snapshot.begin(), rec.snapshot.end()), "ALL");
  CAF_CHECK(rec.log.empty());
  CAF_CHECK_EQUAL(rec.covered, 3u);
  CAF_CHECK_EQUAL(rec.last_seq, 3u);
  // Appends still in the open batch are covered too (the snapshot writes the batch first).
  auto rh = self->request(actor, caf::infinite, append_atom::value, std::string{"rep"}, b("batched"));
  ask<caf::ok_atom>(snapshot_atom::value, std::string{"rep"}, b("ALL2"), covers_all);
  rh.receive([](std::uint64_t seq) { CAF_CHECK_EQUAL(seq, 4u); },
             [](caf::error& err) { CAF_FAIL("append failed: " << store_error_message(err)); });
  rec = ask<room_record>(load_atom::value, std::string{"rep"});
  CAF_CHECK(rec.log.empty());
  CAF_CHECK_EQUAL(rec.covered, 4u);
  CAF_CHECK_EQUAL(append("rep", "next"), 5u);
  rec = ask<room_record>(load_atom::value, std::string{"rep"});
  CAF_CHECK_EQUAL(strings_of(rec.log), (std::vector<std::string>{"next"}));
}

CAF_TEST(a snapshot covering all of a room with nothing stored covers nothing) {
  ask<caf::ok_atom>(snapshot_atom::value, std::string{"fresh"}, b("STATE"), covers_all);
  auto rec = ask<room_record>(load_atom::value, std::string{"fresh"});
  CAF_CHECK(rec.has_snapshot);
  CAF_CHECK_EQUAL(std::string(rec.snapshot.begin(), rec.snapshot.end()), "STATE");
  CAF_CHECK_EQUAL(rec.covered, 0u);
  CAF_CHECK_EQUAL(rec.last_seq, 0u);
  CAF_CHECK_EQUAL(append("fresh", "first"), 1u);
}

CAF_TEST(remove deletes the room) {
  append_many("gone", 2);
  ask<caf::ok_atom>(remove_atom::value, std::string{"gone"});
  auto rec = ask<room_record>(load_atom::value, std::string{"gone"});
  CAF_CHECK(!rec.has_snapshot);
  CAF_CHECK(rec.log.empty());
}

CAF_TEST(exists sees every append accepted before it) {
  CAF_CHECK(!ask<bool>(exists_atom::value, std::string{"e"}));
  auto rh = self->request(actor, caf::infinite, append_atom::value, std::string{"e"}, b("u"));
  CAF_CHECK(ask<bool>(exists_atom::value, std::string{"e"}));  // the open batch is written first
  rh.receive([](std::uint64_t) {},
             [](caf::error& err) { CAF_FAIL("append failed: " << store_error_message(err)); });
  CAF_CHECK(!ask<bool>(exists_atom::value, std::string{"other"}));
}

CAF_TEST(stats report the stored figures) {
  append_many("s1", 3);  // "s1-uN": 5 bytes each
  ask<caf::ok_atom>(snapshot_atom::value, std::string{"s1"}, b("SNAP"), std::uint64_t{1});
  append("s2", "abc");
  auto st = ask<store_statistics>(stats_atom::value);
  CAF_CHECK_EQUAL(st.rooms, 2u);
  CAF_CHECK_EQUAL(st.log_entries, 3u);
  CAF_CHECK_EQUAL(st.log_bytes, 5u + 5u + 3u);
  CAF_CHECK_EQUAL(st.snapshot_bytes, 4u);
  CAF_CHECK(st.approximate_db_bytes > 0);
}

CAF_TEST(store errors come back to the requester) {
  append("r", "ok");
  counting->fail = true;
  auto a1 = self->request(actor, caf::infinite, append_atom::value, std::string{"r"}, b("x1"));
  auto a2 = self->request(actor, caf::infinite, append_atom::value, std::string{"r"}, b("x2"));
  sched.run();
  for (auto* rh : {&a1, &a2})
    rh->receive(
        [](std::uint64_t) { CAF_FAIL("expected an error"); },
        [](caf::error& err) { CAF_CHECK_EQUAL(store_error_message(err), "injected append_batch failure"); });
  CAF_CHECK_EQUAL(store_error_message(ask_error(load_atom::value, std::string{"r"})),
                  "injected load failure room=r");
  CAF_CHECK_EQUAL(
      store_error_message(ask_error(snapshot_atom::value, std::string{"r"}, b("S"), std::uint64_t{1})),
      "injected snapshot failure room=r");
  CAF_CHECK_EQUAL(store_error_message(ask_error(remove_atom::value, std::string{"r"})),
                  "injected remove failure room=r");
  CAF_CHECK_EQUAL(store_error_message(ask_error(stats_atom::value)), "injected stats failure");
  // The actor is still alive and the failed batch stored nothing.
  counting->fail = false;
  auto rec = ask<room_record>(load_atom::value, std::string{"r"});
  CAF_CHECK_EQUAL(strings_of(rec.log), (std::vector<std::string>{"ok"}));
  CAF_CHECK_EQUAL(append("r", "again"), 2u);
}

CAF_TEST(an exit writes the open batch first) {
  caf::anon_send(actor, append_atom::value, std::string{"late"}, b("L"));
  caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  sched.run();
  auto d = db->load("late");
  CAF_REQUIRE(d.ok());
  CAF_CHECK_EQUAL(d->log.size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

struct serialization_fixture {
  store_actor_test_config cfg;
  caf::actor_system sys{cfg};

  caf::message round_trip(const caf::message& in) { return zeal::actors::test::round_trip(sys, in); }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(store_actor_message_tests, serialization_fixture)

CAF_TEST(room records round trip) {
  room_record r{true, {1, 2, 0, 255}, 7, {{8, {9}}, {9, {}}, {10, {3, 4}}}, 10};
  auto out = round_trip(caf::make_message(r));
  CAF_REQUIRE((out.match_elements<room_record>()));
  const auto& back = out.get_as<room_record>(0);
  CAF_CHECK_EQUAL(back.has_snapshot, true);
  CAF_CHECK(back.snapshot == r.snapshot);
  CAF_CHECK_EQUAL(back.covered, 7u);
  CAF_REQUIRE_EQUAL(back.log.size(), r.log.size());
  for (std::size_t i = 0; i < r.log.size(); ++i) {
    CAF_CHECK_EQUAL(back.log[i].seq, r.log[i].seq);
    CAF_CHECK(back.log[i].update == r.log[i].update);
  }
  CAF_CHECK_EQUAL(back.last_seq, 10u);
}

CAF_TEST(storage stats and requests round trip) {
  store_statistics s{3, 100, 2000, 30, 123456789};
  auto out = round_trip(caf::make_message(s));
  CAF_REQUIRE((out.match_elements<store_statistics>()));
  const auto& back = out.get_as<store_statistics>(0);
  CAF_CHECK_EQUAL(back.rooms, 3u);
  CAF_CHECK_EQUAL(back.log_entries, 100u);
  CAF_CHECK_EQUAL(back.log_bytes, 2000u);
  CAF_CHECK_EQUAL(back.snapshot_bytes, 30u);
  CAF_CHECK_EQUAL(back.approximate_db_bytes, 123456789u);
  auto app = round_trip(caf::make_message(append_atom::value, std::string{"r"}, message_bytes{1, 2}));
  CAF_CHECK((app.match_elements<append_atom, std::string, message_bytes>()));
  auto snap = round_trip(
      caf::make_message(snapshot_atom::value, std::string{"r"}, message_bytes{1}, std::uint64_t{4}));
  CAF_CHECK((snap.match_elements<snapshot_atom, std::string, message_bytes, std::uint64_t>()));
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

/// A real (threaded) actor system: the store actor runs detached on its own thread.
struct detached_fixture {
  zeal::test::temp_dir tmp{"zeal_store_actor"};
  std::string dir = tmp.path();
  store_actor_test_config cfg;
  caf::actor_system sys{cfg};

  detached_fixture() { CAF_REQUIRE(!dir.empty()); }
  ~detached_fixture() { sys.await_all_actors_done(); }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(store_actor_detached_tests, detached_fixture)

CAF_TEST(a detached store actor serves concurrent appends) {
  auto r = rocksdb_store::open({dir + "/db", false, true});
  CAF_REQUIRE(r.ok());
  std::shared_ptr<store> st{std::move(r).value()};
  auto actor = spawn_store_actor(sys, st);
  {
    caf::scoped_actor self{sys};
    std::vector<append_handle> handles;
    for (int i = 0; i < 50; ++i)
      handles.push_back(self->request(actor, caf::infinite, append_atom::value, std::string{"d"},
                                      b("u" + std::to_string(i))));
    std::vector<std::uint64_t> seqs;
    for (auto& rh : handles)
      rh.receive([&](std::uint64_t seq) { seqs.push_back(seq); },
                 [&](caf::error& err) { CAF_FAIL("append failed: " << store_error_message(err)); });
    std::vector<std::uint64_t> expected;
    for (std::uint64_t i = 1; i <= 50; ++i) expected.push_back(i);
    CAF_CHECK_EQUAL(seqs, expected);
    room_record rec;
    self->request(actor, caf::infinite, load_atom::value, std::string{"d"})
        .receive([&](room_record& x) { rec = std::move(x); },
                 [&](caf::error& err) { CAF_FAIL("load failed: " << store_error_message(err)); });
    CAF_CHECK_EQUAL(rec.log.size(), 50u);
    CAF_CHECK_EQUAL(rec.last_seq, 50u);
    self->send_exit(actor, caf::exit_reason::user_shutdown);
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
