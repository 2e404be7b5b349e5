#define CAF_SUITE actors_room_state
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>

#include "actors/room_state.hpp"
#include "crdt/protocol/message.hpp"

using namespace zeal::actors;
namespace proto = zeal::crdt::protocol;
using namespace std::chrono_literals;

namespace {

struct writer {
  zeal::crdt::doc d{zeal::crdt::doc_options{5, true}};
  std::vector<bytes> updates;
  writer() {
    d.on_update([this](zeal::crdt::bytes_view u) { updates.emplace_back(u.begin(), u.end()); });
  }
  bytes insert(std::uint64_t i, std::string_view s) {
    d.get_text("t").insert(i, s);
    return updates.back();
  }
};

const auto t0 = proto::awareness_time{} + 1h;

}  // namespace

CAF_TEST(an update frame without trailing bytes is relayed as the same buffer) {
  room_state room{room_limits{}};
  writer w;
  auto frame = proto::encode_update_frame(w.insert(0, "abc"));
  auto* data = frame.data();
  auto fx = room.handle_frame(1, std::move(frame), t0);
  CAF_CHECK(fx.applied);
  CAF_CHECK(fx.relay == frame_effects::relay_kind::all);
  CAF_CHECK_EQUAL(fx.relay_frame.data(), data);  // no copy
  CAF_CHECK_EQUAL(room.doc().to_json(), R"({"t":"abc"})");
}

CAF_TEST(duplicates are applied and not relayed) {
  room_state room{room_limits{}};
  writer w;
  auto frame = proto::encode_update_frame(w.insert(0, "abc"));
  room.handle_frame(1, frame, t0);
  auto fx = room.handle_frame(2, frame, t0);
  CAF_CHECK(fx.applied);
  CAF_CHECK(fx.relay == frame_effects::relay_kind::none);
  CAF_CHECK_EQUAL(fx.close_code, 0);
}

CAF_TEST(pending deletes count as new) {
  room_state room{room_limits{}};
  writer w;
  auto ins = w.insert(0, "abc");
  w.d.get_text("t").remove(0, 1);
  auto del = w.updates.back();
  auto fx = room.handle_frame(1, proto::encode_update_frame(del), t0);  // delete of unknown structs
  CAF_CHECK(fx.relay == frame_effects::relay_kind::all);
  fx = room.handle_frame(1, proto::encode_update_frame(del), t0);
  CAF_CHECK(fx.relay == frame_effects::relay_kind::none);
  fx = room.handle_frame(1, proto::encode_update_frame(ins), t0);
  CAF_CHECK(fx.relay == frame_effects::relay_kind::all);
  CAF_CHECK_EQUAL(room.doc().to_json(), R"({"t":"bc"})");
}

CAF_TEST(welcome frames and awareness bookkeeping) {
  room_limits limits;
  limits.awareness_timeout = 30s;
  room_state room{limits};
  auto w0 = room.welcome_frames();
  CAF_REQUIRE_EQUAL(w0.size(), 1u);
  proto::awareness_entry e{42, 1, R"({"a":1})"};
  auto aw = proto::encode_awareness_frame(proto::encode_awareness_update({&e, 1}));
  auto fx = room.handle_frame(7, aw, t0);
  CAF_CHECK(fx.relay == frame_effects::relay_kind::all);
  CAF_CHECK_EQUAL(fx.relay_frame, aw);
  auto w1 = room.welcome_frames();
  CAF_REQUIRE_EQUAL(w1.size(), 2u);
  CAF_CHECK_EQUAL(w1[1], aw);
  CAF_CHECK(!room.expire_awareness(t0 + 29s));
  CAF_CHECK(!room.remove_connection(8, t0));  // owns nothing
  auto removal = room.remove_connection(7, t0 + 1s);
  CAF_REQUIRE(removal);
  proto::awareness_entry n{42, 1, "null"};
  CAF_CHECK_EQUAL(*removal, proto::encode_awareness_frame(proto::encode_awareness_update({&n, 1})));
}

CAF_TEST(auth and custom) {
  room_state room{room_limits{}};
  auto fx = room.handle_frame(1, proto::encode_permission_granted_frame(), t0);
  CAF_CHECK(fx.auth);
  CAF_CHECK(fx.relay == frame_effects::relay_kind::none);
  CAF_CHECK_EQUAL(fx.close_code, 0);
  fx = room.handle_frame(1, bytes{4}, t0);
  CAF_CHECK(fx.relay == frame_effects::relay_kind::others);
  CAF_CHECK_EQUAL(fx.relay_frame, bytes{4});
}

CAF_TEST(a malformed state vector closes with 1002) {
  room_state room{room_limits{}};
  auto fx = room.handle_frame(1, proto::encode_sync_step1_frame(bytes{5, 1}), t0);
  CAF_CHECK_EQUAL(fx.close_code, 1002);
  CAF_CHECK(fx.replies.empty());
  CAF_MESSAGE(fx.close_reason);
}

CAF_TEST(an awareness state that is not JSON is refused and not relayed) {
  room_state room{room_limits{}};
  // One entry: client 77, clock 1, state text "{not json".
  std::string bad = "{not json";
  bytes update{1, 77, 1, static_cast<std::uint8_t>(bad.size())};
  update.insert(update.end(), bad.begin(), bad.end());
  auto fx = room.handle_frame(1, proto::encode_awareness_frame(update), t0);
  CAF_CHECK_EQUAL(fx.close_code, 1007);
  CAF_CHECK(fx.close_reason.find("state of client 77 is not JSON") != std::string::npos);
  CAF_CHECK(fx.relay == frame_effects::relay_kind::none);
  CAF_CHECK_EQUAL(room.awareness().size(), 0u);
  // A JSON state from the same client is accepted afterwards.
  std::string good = R"({"user":"a"})";
  bytes ok{1, 77, 1, static_cast<std::uint8_t>(good.size())};
  ok.insert(ok.end(), good.begin(), good.end());
  auto fx2 = room.handle_frame(1, proto::encode_awareness_frame(ok), t0);
  CAF_CHECK_EQUAL(fx2.close_code, 0);
  CAF_CHECK(fx2.relay == frame_effects::relay_kind::all);
  CAF_CHECK_EQUAL(room.awareness().size(), 1u);
}

CAF_TEST(auth frames never close the connection whatever their payload) {
  room_state room{room_limits{}};
  for (const bytes& frame : {bytes{2}, bytes{2, 7}, bytes{2, 0, 5, 'a'}, bytes{2, 1}}) {
    auto fx = room.handle_frame(1, frame, t0);
    CAF_CHECK(fx.auth);
    CAF_CHECK_EQUAL(fx.close_code, 0);
    CAF_CHECK(fx.relay == frame_effects::relay_kind::none);
  }
}

CAF_TEST(the room never changes the document itself : no format cleanup of its own) {
  // The updates of the format_cleanup fixture (made by real Yjs: concurrent formatting). A Yjs doc applying
  // them runs its format cleanup and deletes redundant markers: a change of its own that no client sent.
  // The room must not do that (the change would never reach the members, and the same cleanup arriving
  // from a client would then look like a duplicate and not be relayed: the members would diverge).
  zeal::crdt::doc yjs_like{zeal::crdt::doc_options{7, true}};
  zeal::crdt::doc no_cleanup{zeal::crdt::doc_options{8, true, false}};
  room_state room{room_limits{}};
  std::size_t files = 0;
  for (int i = 0;; ++i) {
    std::ifstream in(
        std::string(ZEAL_SOURCE_DIR) + "/tests/fixtures/yjs/format_cleanup." + std::to_string(i) + ".v1.bin",
        std::ios::binary);
    if (!in) break;
    bytes u((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++files;
    CAF_REQUIRE(yjs_like.apply_update(u).ok());
    CAF_REQUIRE(no_cleanup.apply_update(u).ok());
    CAF_CHECK_EQUAL(room.handle_frame(1, proto::encode_update_frame(u), t0).close_code, 0);
  }
  CAF_REQUIRE(files > 1);
  CAF_CHECK(!(yjs_like.delete_set() == no_cleanup.delete_set()));  // the fixture does trigger a cleanup
  CAF_CHECK(room.doc().delete_set() == no_cleanup.delete_set());   // the room deleted nothing on its own
}

CAF_TEST(a new client SyncStep1 is answered from the cached full state until the document changes) {
  room_state room{room_limits{}};
  writer w;
  room.handle_frame(1, proto::encode_update_frame(w.insert(0, "abc")), t0);
  auto empty_sv = proto::encode_sync_step1_frame(bytes{0});
  auto first = room.handle_frame(2, empty_sv, t0);
  auto second = room.handle_frame(3, empty_sv, t0);
  CAF_REQUIRE_EQUAL(first.replies.size(), 1u);
  CAF_REQUIRE_EQUAL(second.replies.size(), 1u);
  CAF_CHECK(first.replies[0] == proto::encode_sync_step2_frame(room.doc().encode_state_as_update()));
  CAF_CHECK(second.replies[0] == first.replies[0]);
  // An update drops the cache: the next joiner gets the new text too.
  room.handle_frame(1, proto::encode_update_frame(w.insert(3, "def")), t0);
  auto third = room.handle_frame(4, empty_sv, t0);
  CAF_REQUIRE_EQUAL(third.replies.size(), 1u);
  CAF_CHECK(third.replies[0] != first.replies[0]);
  CAF_CHECK(third.replies[0] == proto::encode_sync_step2_frame(room.doc().encode_state_as_update()));
  // A non-empty state vector still gets its own diff.
  auto sv = room.doc().state_vector().encode();
  auto diff = room.handle_frame(5, proto::encode_sync_step1_frame(sv), t0);
  CAF_REQUIRE_EQUAL(diff.replies.size(), 1u);
  CAF_CHECK(diff.replies[0] ==
            proto::encode_sync_step2_frame(
                room.doc().encode_state_as_update(sv, zeal::crdt::update_format::v1).value()));
}
