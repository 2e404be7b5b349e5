#include "bench/load/options.hpp"

#include <unistd.h>

#include <boost/asio/ip/address_v4.hpp>
#include <charconv>
#include <cmath>
#include <iostream>
#include <string_view>

namespace zeal::bench::load {
namespace {

constexpr const char* usage =
    "usage: zeal_load --mode idle|fanout|hot|joinstorm|awareness --url ws://127.0.0.1:PORT[/]\n"
    "  [--protocol yws|hocuspocus] [--server-pid PID] [--rooms R] [--clients C (per room, senders\n"
    "  included)] [--senders S (per room)] [--rates r1,r2,... (fanout/hot: delivered updates/s over all\n"
    "  rooms; awareness: updates per client per second)] [--duration s (per step)] [--warmup s]\n"
    "  [--max-p99-ms ms] [--connections N (idle, <= 19500)] [--sources K (bind 127.0.0.1..127.0.0.K)]\n"
    "  [--doc-bytes B] [--joiners J] [--seed N] [--connect-parallel P] [--timeout s (whole run)]\n"
    "  [--room-prefix P] [--self-test]\n";

bool bad(const std::string& msg) {
  std::cerr << "zeal_load: " << msg << "\n" << usage;
  return false;
}

template <class T>
bool parse_uint(std::string_view s, T& out, std::uint64_t lo, std::uint64_t hi, const char* name) {
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) {
    return bad(std::string(name) + ": expected an integer in [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "], got '" + std::string(s) + "'");
  }
  out = static_cast<T>(v);
  return true;
}

bool parse_double(std::string_view s, double& out, double lo, double hi, const char* name) {
  try {
    std::size_t used = 0;
    const double v = std::stod(std::string(s), &used);
    if (used == s.size() && std::isfinite(v) && v >= lo && v <= hi) {
      out = v;
      return true;
    }
  } catch (const std::exception&) {
  }
  return bad(std::string(name) + ": expected a number in [" + std::to_string(lo) + ", " + std::to_string(hi) +
             "], got '" + std::string(s) + "'");
}

bool parse_url(options& o) {
  std::string_view u = o.url;
  if (u.rfind("ws://", 0) != 0) return bad("--url must start with ws://");
  u.remove_prefix(5);
  const auto slash = u.find('/');
  const std::string_view authority = u.substr(0, slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) return bad("--url needs a port: ws://127.0.0.1:PORT");
  std::string host(authority.substr(0, colon));
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address_v4(host, ec);
  if (ec || !addr.is_loopback()) return bad("--url host must be a 127.x.x.x address (loopback only)");
  o.host = host;
  return parse_uint(authority.substr(colon + 1), o.port, 1, 65535, "--url port");
}

}  // namespace

const char* to_string(mode m) {
  switch (m) {
    case mode::idle:
      return "idle";
    case mode::fanout:
      return "fanout";
    case mode::hot:
      return "hot";
    case mode::joinstorm:
      return "joinstorm";
    case mode::awareness:
      return "awareness";
  }
  return "?";
}

const char* to_string(protocol p) {
  return p == protocol::yws ? "yws" : "hocuspocus";
}

std::optional<options> parse_options(int argc, char** argv) {
  options o;
  bool have_mode = false;
  bool have_connections = false;
  std::string rates;
  std::optional<std::uint32_t> rooms, clients, senders;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << usage;
      std::exit(0);
    }
    if (a == "--self-test") {
      o.self_test_only = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) return bad("unexpected argument '" + std::string(a) + "'"), std::nullopt;
    if (i + 1 >= argc) return bad(std::string(a) + " needs a value"), std::nullopt;
    const std::string_view v = argv[++i];
    bool ok = true;
    if (a == "--mode") {
      have_mode = true;
      if (v == "idle")
        o.mode = mode::idle;
      else if (v == "fanout")
        o.mode = mode::fanout;
      else if (v == "hot")
        o.mode = mode::hot;
      else if (v == "joinstorm")
        o.mode = mode::joinstorm;
      else if (v == "awareness")
        o.mode = mode::awareness;
      else
        ok = bad("--mode: unknown mode '" + std::string(v) + "'");
    } else if (a == "--url") {
      o.url = v;
      ok = parse_url(o);
    } else if (a == "--protocol") {
      if (v == "yws")
        o.protocol = protocol::yws;
      else if (v == "hocuspocus")
        o.protocol = protocol::hocuspocus;
      else
        ok = bad("--protocol: expected yws or hocuspocus");
    } else if (a == "--server-pid") {
      int pid = 0;
      ok = parse_uint(v, pid, 1, 1u << 30, "--server-pid");
      if (ok && ::access(("/proc/" + std::to_string(pid) + "/stat").c_str(), R_OK) != 0) {
        ok = bad("--server-pid: no process " + std::to_string(pid));
      }
      o.server_pid = pid;
    } else if (a == "--rooms") {
      rooms.emplace();
      ok = parse_uint(v, *rooms, 1, 19500, "--rooms");
    } else if (a == "--clients") {
      clients.emplace();
      ok = parse_uint(v, *clients, 1, 19500, "--clients");
    } else if (a == "--senders") {
      senders.emplace();
      ok = parse_uint(v, *senders, 1, 19500, "--senders");
    } else if (a == "--rates") {
      rates = v;
    } else if (a == "--duration") {
      ok = parse_double(v, o.duration_s, 0.1, 3600, "--duration");
    } else if (a == "--warmup") {
      ok = parse_double(v, o.warmup_s, 0, 600, "--warmup");
    } else if (a == "--max-p99-ms") {
      ok = parse_double(v, o.max_p99_ms, 0.001, 1e6, "--max-p99-ms");
    } else if (a == "--connections") {
      have_connections = true;
      ok = parse_uint(v, o.connections, 1, 1000000, "--connections");
      if (ok && o.connections > 19500)
        ok = bad("--connections: at most 19500 (this process's fd limit is 20000)");
    } else if (a == "--sources") {
      ok = parse_uint(v, o.sources, 1, 254, "--sources");
    } else if (a == "--doc-bytes") {
      ok = parse_uint(v, o.doc_bytes, 1, 256u << 20, "--doc-bytes");
    } else if (a == "--joiners") {
      ok = parse_uint(v, o.joiners, 1, 19000, "--joiners");
    } else if (a == "--seed") {
      ok = parse_uint(v, o.seed, 0, ~std::uint64_t{0} >> 1, "--seed");
    } else if (a == "--connect-parallel") {
      ok = parse_uint(v, o.connect_parallel, 1, 19500, "--connect-parallel");
    } else if (a == "--timeout") {
      ok = parse_double(v, o.timeout_s, 1, 86400, "--timeout");
    } else if (a == "--room-prefix") {
      o.room_prefix = v;
      if (o.room_prefix.empty() || o.room_prefix.size() > 100 ||
          o.room_prefix.find_first_of("/?#% \0", 0, 6) != std::string::npos) {
        ok = bad("--room-prefix: 1..100 characters, no / ? # % or spaces");
      }
    } else {
      ok = bad("unknown option '" + std::string(a) + "'");
    }
    if (!ok) return std::nullopt;
  }
  if (o.self_test_only) return o;
  if (!have_mode) return bad("--mode is required"), std::nullopt;
  if (o.url.empty()) return bad("--url is required"), std::nullopt;
  switch (o.mode) {
    case mode::idle:
      o.rooms = rooms.value_or(100);
      break;
    case mode::fanout:
      o.rooms = rooms.value_or(100), o.clients = clients.value_or(10), o.senders = senders.value_or(1);
      break;
    case mode::hot:
      o.rooms = rooms.value_or(1), o.clients = clients.value_or(200), o.senders = senders.value_or(5);
      break;
    case mode::joinstorm:
      o.rooms = 1, o.clients = 1, o.senders = 1;
      break;
    case mode::awareness:
      o.rooms = rooms.value_or(100), o.clients = clients.value_or(10);
      o.senders = o.clients;
      break;
  }
  if (have_connections && o.mode != mode::idle) return bad("--connections is for --mode idle"), std::nullopt;
  if (o.mode == mode::fanout || o.mode == mode::hot) {
    if (o.clients < 2) return bad("--clients must be at least 2 (senders included)"), std::nullopt;
    if (o.senders > o.clients) return bad("--senders must not exceed --clients"), std::nullopt;
  }
  if (o.mode == mode::awareness && o.clients < 2) return bad("--clients must be at least 2"), std::nullopt;
  const std::uint64_t total = o.mode == mode::idle        ? o.connections
                              : o.mode == mode::joinstorm ? std::uint64_t{o.joiners} + 2
                                                          : std::uint64_t{o.rooms} * o.clients;
  if (total > 19500)
    return bad("at most 19500 connections in all (rooms x clients, or joiners)"), std::nullopt;
  if (o.mode == mode::idle && o.rooms > o.connections)
    return bad("--rooms must not exceed --connections"), std::nullopt;
  if (rates.empty()) {
    rates = o.mode == mode::awareness ? "1" : "5000,10000,20000,50000,100000,200000";
  }
  std::string_view rest = rates;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    double r = 0;
    if (!parse_double(rest.substr(0, comma), r, 0.001, 1e8, "--rates")) return std::nullopt;
    if (!o.rates.empty() && r <= o.rates.back()) return bad("--rates must be rising"), std::nullopt;
    o.rates.push_back(r);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (o.room_prefix.empty()) o.room_prefix = "zl" + std::to_string(::getpid()) + "-" + std::to_string(o.seed);
  return o;
}

}  // namespace zeal::bench::load
