#define CAF_SUITE server_cli_args
#include <caf/test/unit_test.hpp>

// The command line of zeal-crdt-server: every flag in both forms, short flags, and every usage error.

#include <string>
#include <variant>
#include <vector>

#include "app/server/cli_args.hpp"

using namespace zeal::app;

namespace {

cli_args parse_ok(const std::vector<std::string>& args) {
  auto r = parse_cli_args(args);
  if (auto* e = std::get_if<std::string>(&r)) CAF_FAIL("unexpected error: " << *e);
  return std::get<cli_args>(r);
}

std::string parse_err(const std::vector<std::string>& args) {
  auto r = parse_cli_args(args);
  if (std::holds_alternative<cli_args>(r)) return "<parsed>";
  return std::get<std::string>(r);
}

/// The single setting of `args` as "key=value (flag)".
std::string single(const std::vector<std::string>& args) {
  auto a = parse_ok(args);
  if (a.settings.size() != 1) return "<" + std::to_string(a.settings.size()) + " settings>";
  const auto& s = a.settings.front();
  return std::string(s.spec->key) + "=" + s.value + " (" + s.flag + ")";
}

}  // namespace

CAF_TEST(no arguments) {
  auto a = parse_ok({});
  CAF_CHECK(!a.help);
  CAF_CHECK(!a.config_file);
  CAF_CHECK(a.settings.empty());
}

CAF_TEST(help and verbose) {
  CAF_CHECK(parse_ok({"-h"}).help);
  CAF_CHECK(parse_ok({"--help"}).help);
  CAF_CHECK(parse_ok({"--port", "1", "--help"}).help);
  CAF_CHECK_EQUAL(single({"-v"}), "level=debug (-v)");
  CAF_CHECK_EQUAL(single({"--verbose"}), "level=debug (--verbose)");
  CAF_CHECK_EQUAL(parse_err({"--help=yes"}), "--help: takes no value");
  CAF_CHECK_EQUAL(parse_err({"--verbose=1"}), "--verbose: takes no value");
  CAF_CHECK_EQUAL(parse_err({"-vv"}), "-v: takes no value");
}

CAF_TEST(boolean flags stand alone or take an inline value) {
  for (std::string flag : {"sync", "in-memory"}) {
    auto bare = parse_ok({"--" + flag, "--port", "1"});
    CAF_REQUIRE_EQUAL(bare.settings.size(), 2u);
    CAF_CHECK_EQUAL(bare.settings[0].spec->flag, flag);
    CAF_CHECK_EQUAL(bare.settings[0].value, "true");
    auto off = parse_ok({"--" + flag + "=false"});
    CAF_REQUIRE_EQUAL(off.settings.size(), 1u);
    CAF_CHECK_EQUAL(off.settings[0].value, "false");
  }
}

CAF_TEST(every option in both long forms) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"port", "9000"},
      {"host", "0.0.0.0"},
      {"max-rooms", "5"},
      {"max-clients-per-room", "7"},
      {"room-timeout-minutes", "3"},
      {"max-message-size", "4096"},
      {"ping-interval-seconds", "10"},
      {"client-timeout-seconds", "20"},
      {"max-send-queue-bytes", "100000"},
      {"max-http-body", "1000"},
      {"io-threads", "2"},
      {"actor-threads", "3"},
      {"data-dir", "/tmp/zeal data"},
      {"snapshot-idle-seconds", "7"},
      {"compact-log-entries", "50"},
      {"compact-log-bytes", "2048"},
      {"log-level", "trace"},
      {"node-id", "n1"},
      {"cluster-host", "10.0.0.1"},
      {"cluster-port", "7101"},
      {"seeds", "127.0.0.1:7101, 127.0.0.1:7102"},
      {"cluster-heartbeat-ms", "250"},
      {"cluster-timeout-ms", "2000"},
  };
  // Every option but the booleans (in-memory, sync: a bare flag, or --flag=VALUE only; tested below).
  CAF_CHECK_EQUAL(cases.size() + 2, option_specs().size());
  for (const auto& [flag, value] : cases) {
    auto spaced = parse_ok({"--" + flag, value});
    auto joined = parse_ok({"--" + flag + "=" + value});
    CAF_REQUIRE_EQUAL(spaced.settings.size(), 1u);
    CAF_REQUIRE_EQUAL(joined.settings.size(), 1u);
    CAF_CHECK_EQUAL(spaced.settings[0].spec->flag, flag);
    CAF_CHECK_EQUAL(spaced.settings[0].value, value);
    CAF_CHECK_EQUAL(spaced.settings[0].flag, "--" + flag);
    CAF_CHECK_EQUAL(joined.settings[0].spec->flag, flag);
    CAF_CHECK_EQUAL(joined.settings[0].value, value);
    CAF_CHECK_EQUAL(joined.settings[0].flag, "--" + flag);
  }
}

CAF_TEST(cluster flags are checked one by one) {
  CAF_CHECK_EQUAL(single({"--cluster-port", "0"}), "port=0 (--cluster-port)");
  CAF_CHECK_EQUAL(parse_err({"--cluster-port", "65536"}),
                  "--cluster-port: value 65536 is out of range (allowed: 0..65535)");
  CAF_CHECK_EQUAL(parse_err({"--cluster-heartbeat-ms", "9"}),
                  "--cluster-heartbeat-ms: value 9 is out of range (allowed: 10..60000)");
  CAF_CHECK_EQUAL(parse_err({"--cluster-timeout-ms=99"}),
                  "--cluster-timeout-ms: value 99 is out of range (allowed: 100..600000)");
  CAF_CHECK_EQUAL(parse_err({"--seeds", "a:1,,b:2"}), "--seeds: empty entry in the seed list \"a:1,,b:2\"");
  CAF_CHECK_EQUAL(parse_err({"--seeds=host"}), "--seeds: seed \"host\" has no port (expected HOST:PORT)");
  CAF_CHECK_EQUAL(parse_err({"--node-id", "a b"}), "--node-id: must not contain spaces");
  CAF_CHECK_EQUAL(parse_err({"--cluster-host", "a b"}), "--cluster-host: must not contain spaces");
  CAF_CHECK_EQUAL(parse_err({"--seeds="}), "--seeds: missing value");
  // [cluster] host and port are not [server] host and port.
  auto a = parse_ok({"--cluster-host", "h", "--host", "s"});
  CAF_REQUIRE_EQUAL(a.settings.size(), 2u);
  CAF_CHECK_EQUAL(a.settings[0].spec->section, "cluster");
  CAF_CHECK_EQUAL(a.settings[1].spec->section, "server");
}

CAF_TEST(short port flag) {
  CAF_CHECK_EQUAL(single({"-p", "9000"}), "port=9000 (-p)");
  CAF_CHECK_EQUAL(single({"-p9000"}), "port=9000 (-p)");
  CAF_CHECK_EQUAL(single({"-p=9000"}), "port=9000 (-p)");
  CAF_CHECK_EQUAL(single({"--port", "0"}), "port=0 (--port)");
}

CAF_TEST(config file) {
  auto a = parse_ok({"--config", "x.ini"});
  CAF_REQUIRE(a.config_file);
  CAF_CHECK_EQUAL(*a.config_file, "x.ini");
  CAF_CHECK(a.settings.empty());
  a = parse_ok({"--config=a.ini", "--config", "b.ini"});
  CAF_CHECK_EQUAL(*a.config_file, "b.ini");
  CAF_CHECK_EQUAL(parse_err({"--config"}), "--config: missing value");
  CAF_CHECK_EQUAL(parse_err({"--config="}), "--config: missing value");
}

CAF_TEST(settings keep command line order) {
  auto a = parse_ok({"-v", "--port", "1", "--log-level", "warn", "-p", "2"});
  CAF_REQUIRE_EQUAL(a.settings.size(), 4u);
  CAF_CHECK_EQUAL(a.settings[0].value, "debug");
  CAF_CHECK_EQUAL(a.settings[1].value, "1");
  CAF_CHECK_EQUAL(a.settings[2].value, "warn");
  CAF_CHECK_EQUAL(a.settings[3].value, "2");
}

CAF_TEST(value that looks like a flag is taken as the value) {
  // `--host -v` means host "-v": values are never flags (as in the seed's clap parser with a value).
  CAF_CHECK_EQUAL(single({"--data-dir", "-v"}), "data-dir=-v (--data-dir)");
}

CAF_TEST(unknown flags and stray arguments) {
  CAF_CHECK_EQUAL(parse_err({"--frobnicate"}), "unknown option --frobnicate (see --help)");
  CAF_CHECK_EQUAL(parse_err({"--frobnicate=1"}), "unknown option --frobnicate (see --help)");
  CAF_CHECK_EQUAL(parse_err({"-x"}), "unknown option -x (see --help)");
  CAF_CHECK_EQUAL(parse_err({"--Port", "1"}), "unknown option --Port (see --help)");
  CAF_CHECK(parse_err({"9000"}).find("unexpected argument \"9000\"") != std::string::npos);
  CAF_CHECK(parse_err({"-"}).find("unexpected argument") != std::string::npos);
  CAF_CHECK(parse_err({"--"}).find("unexpected argument") != std::string::npos);
  // ini-only spellings are not flags
  CAF_CHECK_EQUAL(parse_err({"--level", "debug"}), "unknown option --level (see --help)");
}

CAF_TEST(missing values) {
  CAF_CHECK_EQUAL(parse_err({"--port"}), "--port: missing value");
  CAF_CHECK_EQUAL(parse_err({"-p"}), "-p: missing value");
  CAF_CHECK_EQUAL(parse_err({"--port="}), "--port: missing value");
  CAF_CHECK_EQUAL(parse_err({"--host", ""}), "--host: missing value");
  CAF_CHECK_EQUAL(parse_err({"-v", "--max-rooms"}), "--max-rooms: missing value");
}

CAF_TEST(bad numbers name the flag) {
  CAF_CHECK_EQUAL(parse_err({"--port", "abc"}), "--port: expected an integer, got \"abc\"");
  CAF_CHECK_EQUAL(parse_err({"-p", "12x"}), "-p: expected an integer, got \"12x\"");
  CAF_CHECK_EQUAL(parse_err({"--port=70000"}), "--port: value 70000 is out of range (allowed: 0..65535)");
  CAF_CHECK_EQUAL(parse_err({"--port", "-1"}), "--port: value -1 is out of range (allowed: 0..65535)");
  CAF_CHECK_EQUAL(parse_err({"--max-rooms", "0"}),
                  "--max-rooms: value 0 is out of range (allowed: 1..10000000)");
  CAF_CHECK_EQUAL(parse_err({"--max-clients-per-room", "0"}).rfind("--max-clients-per-room: value 0", 0), 0u);
  CAF_CHECK_EQUAL(parse_err({"--io-threads", "1.5"}), "--io-threads: expected an integer, got \"1.5\"");
  CAF_CHECK(parse_err({"--max-message-size", "99999999999999999999999"}).find("out of range") !=
            std::string::npos);
  CAF_CHECK(parse_err({"--actor-threads", " 2"}).find("expected an integer") != std::string::npos);
  CAF_CHECK(parse_err({"--log-level", "loud"}).rfind("--log-level: unknown log level \"loud\"", 0) == 0);
}
