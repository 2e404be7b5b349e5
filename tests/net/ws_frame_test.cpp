#define CAF_SUITE net_ws_frame
#include <caf/test/unit_test.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "crdt/lib0/utf.hpp"
#include "net/ws_frame.hpp"

using namespace zeal::net::ws;

namespace {

using bytes = std::vector<std::uint8_t>;

/// A client frame as a browser sends it: masked with `key`.
bytes client_frame(std::uint8_t b0, const std::string& payload, std::uint32_t key = 0x11223344,
                   bool masked = true) {
  bytes f{b0};
  const auto n = payload.size();
  const std::uint8_t mask_bit = masked ? 0x80 : 0x00;
  if (n < 126) {
    f.push_back(static_cast<std::uint8_t>(mask_bit | n));
  } else if (n <= 0xFFFF) {
    f.push_back(mask_bit | 126);
    f.push_back(static_cast<std::uint8_t>(n >> 8));
    f.push_back(static_cast<std::uint8_t>(n));
  } else {
    f.push_back(mask_bit | 127);
    for (int i = 7; i >= 0; --i)
      f.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(n) >> (8 * i)));
  }
  std::uint8_t k[4] = {static_cast<std::uint8_t>(key >> 24), static_cast<std::uint8_t>(key >> 16),
                       static_cast<std::uint8_t>(key >> 8), static_cast<std::uint8_t>(key)};
  if (masked) f.insert(f.end(), k, k + 4);
  for (std::size_t i = 0; i < n; ++i)
    f.push_back(static_cast<std::uint8_t>(payload[i]) ^ (masked ? k[i % 4] : 0));
  return f;
}

bytes concat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

/// Records every event as a line.
struct recorder final : frame_events {
  std::vector<std::string> events;
  void on_message(bool text, std::vector<std::uint8_t>&& payload) override {
    events.push_back(std::string(text ? "text:" : "binary:") + std::string(payload.begin(), payload.end()));
  }
  void on_ping(std::string_view payload) override { events.push_back("ping:" + std::string(payload)); }
  void on_pong() override { events.push_back("pong"); }
  void on_close(std::uint16_t code, std::string_view reason) override {
    events.push_back("close:" + std::to_string(code) + ":" + std::string(reason));
  }
  void on_error(std::uint16_t code, std::string reason) override {
    events.push_back("error:" + std::to_string(code) + ":" + reason);
  }
};

/// Feeds `data` in chunks of `chunk` bytes (0: all at once) and returns the events.
std::vector<std::string> parse(bytes data, std::size_t chunk = 0, std::size_t max_size = 1 << 20) {
  frame_reader reader(max_size);
  recorder rec;
  if (chunk == 0) chunk = data.size();
  for (std::size_t pos = 0; pos < data.size() && !reader.stopped(); pos += chunk)
    reader.feed(data.data() + pos, std::min(chunk, data.size() - pos), rec);
  return rec.events;
}

std::string first_error(const std::vector<std::string>& ev) {
  for (const auto& e : ev)
    if (e.rfind("error:", 0) == 0) return e.substr(0, e.find(':', 6));
  return "none";
}

}  // namespace

CAF_TEST(server headers use the shortest length encoding) {
  CAF_CHECK_EQUAL(encode_header(opcode::binary, 0).size, 2u);
  CAF_CHECK_EQUAL(encode_header(opcode::binary, 125).size, 2u);
  CAF_CHECK_EQUAL(encode_header(opcode::binary, 126).size, 4u);
  CAF_CHECK_EQUAL(encode_header(opcode::binary, 65535).size, 4u);
  CAF_CHECK_EQUAL(encode_header(opcode::binary, 65536).size, 10u);
  auto h = encode_header(opcode::binary, 300);
  CAF_CHECK_EQUAL(h.bytes[0], 0x82);  // FIN + binary
  CAF_CHECK_EQUAL(h.bytes[1], 126);   // no mask bit: server frames are unmasked
  CAF_CHECK_EQUAL(h.bytes[2] * 256 + h.bytes[3], 300);
  auto big = encode_header(opcode::text, 0x123456789);
  CAF_CHECK_EQUAL(big.bytes[0], 0x81);
  CAF_CHECK_EQUAL(big.bytes[1], 127);
  CAF_CHECK_EQUAL(big.bytes[5], 0x01);
  CAF_CHECK_EQUAL(big.bytes[9], 0x89);
}

CAF_TEST(masked frames are unmasked and messages delivered whole) {
  auto data = concat({client_frame(0x82, "hello"), client_frame(0x89, "p1"), client_frame(0x8A, ""),
                      client_frame(0x81, "caf\xC3\xA9")});
  const std::vector<std::string> want{"binary:hello", "ping:p1", "pong", "text:caf\xC3\xA9"};
  CAF_CHECK_EQUAL(parse(data), want);
  // Any split of the same bytes gives the same events.
  for (std::size_t chunk : {1, 2, 3, 7}) CAF_CHECK_EQUAL(parse(data, chunk), want);
}

CAF_TEST(fragments are joined and control frames may come between them) {
  auto data = concat(
      {client_frame(0x01, "hel"), client_frame(0x89, "x"), client_frame(0x00, "l"), client_frame(0x80, "o")});
  CAF_CHECK_EQUAL(parse(data), (std::vector<std::string>{"ping:x", "text:hello"}));
  CAF_CHECK_EQUAL(parse(data, 1), (std::vector<std::string>{"ping:x", "text:hello"}));
}

CAF_TEST(lengths of 16 and 64 bits) {
  std::string mid(300, 'm');
  std::string big(70000, 'b');
  auto ev = parse(concat({client_frame(0x82, mid), client_frame(0x82, big)}), 4096);
  CAF_REQUIRE_EQUAL(ev.size(), 2u);
  CAF_CHECK_EQUAL(ev[0], "binary:" + mid);
  CAF_CHECK_EQUAL(ev[1], "binary:" + big);
}

CAF_TEST(close frames) {
  CAF_CHECK_EQUAL(parse(client_frame(0x88, close_payload(1000, "bye"))),
                  (std::vector<std::string>{"close:1000:bye"}));
  CAF_CHECK_EQUAL(parse(client_frame(0x88, "")), (std::vector<std::string>{"close:1005:"}));
  // Nothing is parsed after the close.
  CAF_CHECK_EQUAL(parse(concat({client_frame(0x88, ""), client_frame(0x82, "late")})),
                  (std::vector<std::string>{"close:1005:"}));
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x88, "x"))), "error:1002");
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x88, close_payload(1005, "")))), "error:1002");
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x88, close_payload(999, "")))), "error:1002");
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x88, close_payload(5000, "")))), "error:1002");
  CAF_CHECK_EQUAL(parse(client_frame(0x88, close_payload(4001, ""))),
                  (std::vector<std::string>{"close:4001:"}));
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x88, close_payload(1000, "\xC3")))), "error:1007");
}

CAF_TEST(protocol violations are errors and stop the reader) {
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x82, "x", 0, false))), "error:1002");  // unmasked
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0xC2, "x"))), "error:1002");            // RSV1
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x83, "x"))), "error:1002");            // opcode 3
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x8B, "x"))), "error:1002");            // opcode 11
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x09, "x"))), "error:1002");            // fragmented ping
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x89, std::string(126, 'p')))), "error:1002");
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x80, "x"))), "error:1002");  // continuation, no message
  CAF_CHECK_EQUAL(first_error(parse(concat({client_frame(0x02, "a"), client_frame(0x82, "b")}))),
                  "error:1002");
  CAF_CHECK_EQUAL(first_error(parse(client_frame(0x81, "\xFF"))), "error:1007");
  // Nothing is delivered after an error.
  CAF_CHECK_EQUAL(parse(concat({client_frame(0x83, "x"), client_frame(0x82, "after")})).size(), 1u);
}

CAF_TEST(the size limit is checked against the declared length and the joined fragments) {
  // Only the header of a too-big frame is needed to refuse it.
  auto header_only = client_frame(0x82, std::string(2000, 'x'));
  header_only.resize(8);
  CAF_CHECK_EQUAL(first_error(parse(header_only, 0, 1000)), "error:1009");
  CAF_CHECK_EQUAL(parse(client_frame(0x82, std::string(1000, 'x')), 0, 1000).size(), 1u);
  auto fragments =
      concat({client_frame(0x02, std::string(600, 'a')), client_frame(0x80, std::string(600, 'b'))});
  CAF_CHECK_EQUAL(first_error(parse(fragments, 0, 1000)), "error:1009");
}

CAF_TEST(the reader holds no state between messages) {
  frame_reader reader(1 << 20);
  recorder rec;
  auto f = client_frame(0x82, "abcdef");
  CAF_CHECK(!reader.partial());
  reader.feed(f.data(), 3, rec);
  CAF_CHECK(reader.partial());
  reader.feed(f.data() + 3, f.size() - 3, rec);
  CAF_CHECK(!reader.partial());
  CAF_CHECK_EQUAL(rec.events, (std::vector<std::string>{"binary:abcdef"}));
}

CAF_TEST(seeded random frames in random splits) {
  std::mt19937 rng(20261202);
  bytes data;
  std::vector<std::string> want;
  for (int i = 0; i < 300; ++i) {
    const auto kind = rng() % 4;
    const std::size_t len = kind == 3 ? rng() % 126 : (rng() % 3 == 0 ? rng() % 70000 : rng() % 200);
    std::string payload(len, '\0');
    for (auto& c : payload) c = static_cast<char>('a' + rng() % 26);
    const auto key = static_cast<std::uint32_t>(rng());
    if (kind == 3) {
      auto f = client_frame(0x89, payload, key);
      data.insert(data.end(), f.begin(), f.end());
      want.push_back("ping:" + payload);
    } else if (kind == 2 && len > 1) {
      auto a = client_frame(0x02, payload.substr(0, len / 2), key);
      auto b = client_frame(0x80, payload.substr(len / 2), key ^ 0x5a5a5a5a);
      data.insert(data.end(), a.begin(), a.end());
      data.insert(data.end(), b.begin(), b.end());
      want.push_back("binary:" + payload);
    } else {
      auto f = client_frame(kind == 1 ? 0x81 : 0x82, payload, key);
      data.insert(data.end(), f.begin(), f.end());
      want.push_back((kind == 1 ? "text:" : "binary:") + payload);
    }
  }
  frame_reader reader(1 << 20);
  recorder rec;
  for (std::size_t pos = 0; pos < data.size();) {
    const std::size_t n = std::min<std::size_t>(1 + rng() % 5000, data.size() - pos);
    reader.feed(data.data() + pos, n, rec);
    pos += n;
  }
  CAF_CHECK(!reader.partial());
  CAF_CHECK(rec.events == want);
  CAF_CHECK_EQUAL(rec.events.size(), want.size());
}

CAF_TEST(text messages and close reasons must be utf8) {
  for (const char* s :
       {"", "plain ascii, long enough for the 8-byte path", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"})
    CAF_CHECK_EQUAL(parse(client_frame(0x81, s)), (std::vector<std::string>{std::string("text:") + s}));
  for (const char* s : {"\xC0\xAF",          // overlong
                        "\xE0\x80\xAF",      // overlong
                        "\xED\xA0\x80",      // surrogate
                        "\xF4\x90\x80\x80",  // above U+10FFFF
                        "\xE2\x82",          // truncated
                        "abc\x80"}) {        // stray continuation
    CAF_CHECK_EQUAL(first_error(parse(client_frame(0x81, s))), "error:1007");
    CAF_CHECK_EQUAL(first_error(parse(client_frame(0x88, close_payload(1000, s)))), "error:1007");
  }
}

CAF_TEST(close payloads fit a control frame on a character boundary) {
  CAF_CHECK_EQUAL(close_payload(0, "ignored"), "");
  CAF_CHECK_EQUAL(close_payload(1001, "bye"), std::string("\x03\xE9"
                                                          "bye"));
  std::string long_reason(122, 'x');
  long_reason += "\xC3\xA9";  // a 2-byte character across the 123-byte limit
  auto p = close_payload(1000, long_reason);
  CAF_CHECK_EQUAL(p.size(), 2u + 122u);
  CAF_CHECK(zeal::crdt::lib0::is_valid_utf8(p.substr(2)));
}
