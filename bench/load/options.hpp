#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/load/yjs_client.hpp"

namespace zeal::bench::load {

enum class mode { idle, fanout, hot, joinstorm, awareness };

const char* to_string(mode m);
const char* to_string(protocol p);

struct options {
  load::mode mode = mode::fanout;
  std::string url;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  load::protocol protocol = protocol::yws;
  std::optional<int> server_pid;
  std::uint32_t rooms = 0;
  std::uint32_t clients = 0;
  std::uint32_t senders = 0;
  /// fanout/hot: delivered/s targets over all rooms; awareness: updates per client per second.
  std::vector<double> rates;
  double duration_s = 10;
  double warmup_s = 2;
  double max_p99_ms = 50;
  std::uint32_t connections = 10000;
  std::uint32_t sources = 1;
  std::uint64_t doc_bytes = 1u << 20;
  std::uint32_t joiners = 100;
  std::uint64_t seed = 1;
  std::uint32_t connect_parallel = 200;
  double timeout_s = 600;
  std::string room_prefix;
  bool self_test_only = false;
};

/// Parses argv; on invalid input prints a message (and usage) to stderr and returns nullopt (exit 2).
std::optional<options> parse_options(int argc, char** argv);

}  // namespace zeal::bench::load
