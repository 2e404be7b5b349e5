#define CAF_SUITE server_options_loader
#include <caf/test/unit_test.hpp>

// load_server_options: defaults < config.ini < environment < command line, and every validation error
// naming its source (file:line key, environment variable, flag).

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "app/server/option_table.hpp"
#include "app/server/options_loader.hpp"

using namespace zeal::app;
namespace fs = std::filesystem;

namespace {

struct fixture {
  fs::path dir;
  std::map<std::string, std::string> env;

  fixture() {
    static int counter = 0;
    dir = fs::temp_directory_path() /
          ("zeal-options-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::create_directories(dir);
  }
  ~fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  std::string write(const std::string& name, const std::string& text) {
    auto p = dir / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  getenv_fn getenv() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = env.find(std::string(name));
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
  }

  /// The default config path: a file in `dir` that does not exist unless written.
  std::string default_path() const { return (dir / "config.ini").string(); }

  load_result load(const std::vector<std::string>& args) {
    return load_server_options(args, getenv(), default_path());
  }

  server_options ok(const std::vector<std::string>& args) {
    auto r = load(args);
    if (r.status != load_result::outcome::ok) CAF_FAIL("unexpected failure: " << r.message);
    return r.options;
  }

  std::string err(const std::vector<std::string>& args) {
    auto r = load(args);
    if (r.status != load_result::outcome::error) CAF_FAIL("expected an error for the given arguments");
    return r.message;
  }

  /// Loads a config file with `text` and returns the error message.
  std::string file_err(const std::string& text) { return err({"--config", write("bad.ini", text)}); }
};

bool contains(const std::string& haystack, const std::string& needle) {
  if (haystack.find(needle) != std::string::npos) return true;
  CAF_MESSAGE("\"" << haystack << "\" does not contain \"" << needle << "\"");
  return false;
}

}  // namespace

CAF_TEST_FIXTURE_SCOPE(options_loader_tests, fixture)

CAF_TEST(defaults without any source) {
  auto o = ok({});
  server_options d;
  CAF_CHECK_EQUAL(o.host, "127.0.0.1");
  CAF_CHECK_EQUAL(o.port, 8080u);
  CAF_CHECK_EQUAL(o.max_rooms, 1000u);
  CAF_CHECK_EQUAL(o.max_clients_per_room, 100u);
  CAF_CHECK_EQUAL(o.room_timeout_minutes, 30u);
  CAF_CHECK_EQUAL(o.max_message_size, 1048576u);
  CAF_CHECK_EQUAL(o.ping_interval.count(), 30);
  CAF_CHECK_EQUAL(o.client_timeout.count(), 120);
  CAF_CHECK_EQUAL(o.max_send_queue_bytes, 16777216u);
  CAF_CHECK_EQUAL(o.max_http_body, 65536u);
  CAF_CHECK_EQUAL(o.io_threads, 1u);
  CAF_CHECK_EQUAL(o.actor_threads, 2u);
  CAF_CHECK_EQUAL(o.data_dir, "./data");
  CAF_CHECK_EQUAL(o.log_level, "info");
  CAF_CHECK_EQUAL(o.node_id, "");
  CAF_CHECK_EQUAL(o.cluster_host, "127.0.0.1");
  CAF_CHECK_EQUAL(o.cluster_port, 0u);
  CAF_CHECK_EQUAL(o.seeds, "");
  CAF_CHECK_EQUAL(o.cluster_heartbeat.count(), 500);
  CAF_CHECK_EQUAL(o.cluster_timeout.count(), 3000);
  CAF_CHECK_EQUAL(effective_node_id(o), "standalone");
  CAF_CHECK(o.config_file.empty());
  CAF_CHECK_EQUAL(describe_options(o), describe_options(d));
}

CAF_TEST(help) {
  auto r = load({"--port", "1", "-h"});
  CAF_CHECK(r.status == load_result::outcome::help);
  CAF_CHECK(contains(r.message, "usage: zeal-crdt-server"));
  for (const auto& spec : option_specs()) CAF_CHECK(contains(r.message, "--" + std::string(spec.flag)));
  CAF_CHECK(contains(r.message, "-p, --port N"));
  CAF_CHECK(contains(r.message, "[8080]"));
  CAF_CHECK(contains(r.message, "--config FILE"));
  CAF_CHECK(contains(r.message, "RUST_LOG"));
}

CAF_TEST(a full config file sets every option) {
  auto path = write("full.ini",
                    "[server]\n"
                    "host = \"0.0.0.0\"\n"
                    "port = 9001\n"
                    "max-rooms = 11\n"
                    "max-clients-per-room = 12\n"
                    "room-timeout-minutes = 13\n"
                    "max-message-size = 14000\n"
                    "ping-interval-seconds = 15\n"
                    "client-timeout-seconds = 16\n"
                    "max-send-queue-bytes = 17000\n"
                    "max-http-body = 18000\n"
                    "io-threads = 3\n"
                    "actor-threads = 4\n"
                    "[storage]\n"
                    "data-dir = /var/lib/zeal\n"
                    "in-memory = true\n"
                    "sync = true\n"
                    "snapshot-idle-seconds = 19\n"
                    "compact-log-entries = 20\n"
                    "compact-log-bytes = 21000\n"
                    "[log]\n"
                    "level = \"warn\"\n"
                    "[cluster]\n"
                    "node-id = n1\n"
                    "host = \"10.0.0.1\"\n"
                    "port = 7101\n"
                    "seeds = \"10.0.0.1:7101, 10.0.0.2:7102,10.0.0.3:7103\"\n"
                    "heartbeat-interval-ms = 200\n"
                    "connection-timeout-ms = 1500\n");
  auto o = ok({"--config", path});
  CAF_CHECK_EQUAL(o.host, "0.0.0.0");
  CAF_CHECK_EQUAL(o.port, 9001u);
  CAF_CHECK_EQUAL(o.max_rooms, 11u);
  CAF_CHECK_EQUAL(o.max_clients_per_room, 12u);
  CAF_CHECK_EQUAL(o.room_timeout_minutes, 13u);
  CAF_CHECK_EQUAL(o.max_message_size, 14000u);
  CAF_CHECK_EQUAL(o.ping_interval.count(), 15);
  CAF_CHECK_EQUAL(o.client_timeout.count(), 16);
  CAF_CHECK_EQUAL(o.max_send_queue_bytes, 17000u);
  CAF_CHECK_EQUAL(o.max_http_body, 18000u);
  CAF_CHECK_EQUAL(o.io_threads, 3u);
  CAF_CHECK_EQUAL(o.actor_threads, 4u);
  CAF_CHECK_EQUAL(o.data_dir, "/var/lib/zeal");
  CAF_CHECK_EQUAL(o.in_memory, true);
  CAF_CHECK_EQUAL(o.sync, true);
  CAF_CHECK_EQUAL(o.snapshot_idle.count(), 19);
  CAF_CHECK_EQUAL(o.compact_log_entries, 20u);
  CAF_CHECK_EQUAL(o.compact_log_bytes, 21000u);
  CAF_CHECK_EQUAL(o.log_level, "warn");
  CAF_CHECK_EQUAL(o.node_id, "n1");
  CAF_CHECK_EQUAL(o.cluster_host, "10.0.0.1");
  CAF_CHECK_EQUAL(o.cluster_port, 7101u);
  CAF_CHECK_EQUAL(o.seeds, "10.0.0.1:7101, 10.0.0.2:7102,10.0.0.3:7103");
  CAF_CHECK_EQUAL(o.cluster_heartbeat.count(), 200);
  CAF_CHECK_EQUAL(o.cluster_timeout.count(), 1500);
  CAF_CHECK_EQUAL(o.config_file, path);
  // [cluster] host/port did not touch [server] host/port.
  CAF_CHECK_EQUAL(o.host, "0.0.0.0");
  CAF_CHECK_EQUAL(o.port, 9001u);
}

CAF_TEST(cluster options from the command line) {
  auto o = ok({"--node-id", "a", "--cluster-host=0.0.0.0", "--cluster-port", "7000", "--seeds",
               "h1:7000,h2:7001", "--cluster-heartbeat-ms", "100", "--cluster-timeout-ms", "1000"});
  CAF_CHECK_EQUAL(o.node_id, "a");
  CAF_CHECK_EQUAL(o.cluster_host, "0.0.0.0");
  CAF_CHECK_EQUAL(o.cluster_port, 7000u);
  CAF_CHECK_EQUAL(o.seeds, "h1:7000,h2:7001");
  CAF_CHECK_EQUAL(o.cluster_heartbeat.count(), 100);
  CAF_CHECK_EQUAL(o.cluster_timeout.count(), 1000);
  CAF_CHECK_EQUAL(o.host, "127.0.0.1");
  CAF_CHECK_EQUAL(o.port, 8080u);
  // CLI over file.
  auto path = write("c.ini", "[cluster]\nport = 7100\nnode-id = filenode\n");
  o = ok({"--config", path, "--cluster-port", "7200"});
  CAF_CHECK_EQUAL(o.cluster_port, 7200u);
  CAF_CHECK_EQUAL(o.node_id, "filenode");
}

CAF_TEST(the node id defaults to the cluster address) {
  server_options o;
  CAF_CHECK_EQUAL(effective_node_id(o), "standalone");
  o.cluster_port = 7101;
  CAF_CHECK_EQUAL(effective_node_id(o), "127.0.0.1:7101");
  o.cluster_host = "10.1.2.3";
  CAF_CHECK_EQUAL(effective_node_id(o), "10.1.2.3:7101");
  o.node_id = "n1";
  CAF_CHECK_EQUAL(effective_node_id(o), "n1");
  o.cluster_port = 0;
  CAF_CHECK_EQUAL(effective_node_id(o), "n1");
  // An empty value in config.ini means the default.
  o = ok({"--config", write("e.ini", "[cluster]\nnode-id = \"\"\nseeds = \"\"\nport = 7000\n")});
  CAF_CHECK_EQUAL(o.node_id, "");
  CAF_CHECK_EQUAL(o.seeds, "");
  CAF_CHECK_EQUAL(effective_node_id(o), "127.0.0.1:7000");
}

CAF_TEST(cluster errors name file line and key) {
  auto m = file_err("[cluster]\nport = 70000\n");
  CAF_CHECK(contains(m, "bad.ini:2: [cluster] port: value 70000 is out of range (allowed: 0..65535)"));
  m = file_err("[cluster]\nport = \"7000\"\n");
  CAF_CHECK(contains(m, "bad.ini:2: [cluster] port: expected an unquoted integer"));
  m = file_err("[cluster]\nport = 7000\nseeds = \"a:1,,b:2\"\n");
  CAF_CHECK(contains(m, "bad.ini:3: [cluster] seeds: empty entry in the seed list \"a:1,,b:2\""));
  m = file_err("[cluster]\nseeds = h:0\n");
  CAF_CHECK(contains(m, "bad.ini:2: [cluster] seeds: seed \"h:0\": port must be 1..65535"));
  m = file_err("[cluster]\nseeds = \":7000\"\n");
  CAF_CHECK(contains(m, "bad.ini:2: [cluster] seeds: seed \":7000\" has no host"));
  m = file_err("[cluster]\nheartbeat-interval-ms = 5\n");
  CAF_CHECK(contains(
      m, "bad.ini:2: [cluster] heartbeat-interval-ms: value 5 is out of range (allowed: 10..60000)"));
  m = file_err("[cluster]\nconnection-timeout-ms = 600001\n");
  CAF_CHECK(contains(
      m, "bad.ini:2: [cluster] connection-timeout-ms: value 600001 is out of range (allowed: 100..600000)"));
  m = file_err("[cluster]\nnode-id = \"a b\"\n");
  CAF_CHECK(contains(m, "bad.ini:2: [cluster] node-id: must not contain spaces"));
  m = file_err("[cluster]\nnode-id = " + std::string(256, 'x') + "\n");
  CAF_CHECK(contains(m, "bad.ini:2: [cluster] node-id: is too long (over 255 bytes)"));
  m = file_err("[cluster]\nhost = \"\"\n");
  CAF_CHECK(contains(m, "bad.ini:2: [cluster] host: must not be empty"));
}

CAF_TEST(seeds need a cluster port) {
  // Named where the seeds were set: file line, or flag.
  auto m = file_err("[cluster]\n; no port\nseeds = \"127.0.0.1:7101\"\n");
  CAF_CHECK(contains(m, "bad.ini:3: [cluster] seeds: seeds need [cluster] port"));
  m = err({"--seeds", "127.0.0.1:7101"});
  CAF_CHECK(contains(m, "--seeds: seeds need [cluster] port"));
  // A port from any source is enough.
  auto o =
      ok({"--config", write("s.ini", "[cluster]\nseeds = \"127.0.0.1:7101\"\n"), "--cluster-port", "7102"});
  CAF_CHECK_EQUAL(o.cluster_port, 7102u);
  // Port 0 from the CLI turns the cluster off: the file's seeds are then an error.
  auto path = write("t.ini", "[cluster]\nport = 7101\nseeds = \"127.0.0.1:7102\"\n");
  CAF_CHECK_EQUAL(ok({"--config", path}).cluster_port, 7101u);
  CAF_CHECK(contains(err({"--config", path, "--cluster-port", "0"}), "t.ini:3: [cluster] seeds: seeds need"));
}

CAF_TEST(actors on the io thread need one io thread) {
  auto o = ok({"--actor-threads", "0"});
  CAF_CHECK_EQUAL(o.actor_threads, 0u);
  CAF_CHECK_EQUAL(o.io_threads, 1u);
  auto m = err({"--actor-threads", "0", "--io-threads", "2"});
  CAF_CHECK(contains(
      m,
      "--actor-threads: actor-threads 0 runs the actors on the I/O thread and needs io-threads 1 (not 2)"));
  m = file_err("[server]\nio-threads = 3\nactor-threads = 0\n");
  CAF_CHECK(contains(m, "bad.ini:3: [server] actor-threads: actor-threads 0"));
}

CAF_TEST(the connection timeout must exceed the heartbeat) {
  auto m = file_err("[cluster]\nheartbeat-interval-ms = 5000\n");
  // The timeout kept its default: the heartbeat that was set is named.
  CAF_CHECK(contains(m,
                     "bad.ini:2: [cluster] heartbeat-interval-ms: connection-timeout-ms (3000) must be "
                     "greater than heartbeat-interval-ms (5000)"));
  m = file_err("[cluster]\nheartbeat-interval-ms = 1000\nconnection-timeout-ms = 1000\n");
  CAF_CHECK(contains(m, "bad.ini:3: [cluster] connection-timeout-ms: connection-timeout-ms (1000) must be"));
  m = err({"--cluster-timeout-ms", "400"});
  CAF_CHECK(contains(m,
                     "--cluster-timeout-ms: connection-timeout-ms (400) must be greater than "
                     "heartbeat-interval-ms (500)"));
  CAF_CHECK_EQUAL(ok({"--cluster-timeout-ms", "501"}).cluster_timeout.count(), 501);
}

CAF_TEST(the cluster port must differ from the server port) {
  auto m = err({"--port", "7000", "--cluster-port", "7000"});
  CAF_CHECK(contains(m, "--cluster-port: [cluster] port 7000 is also the [server] port on 127.0.0.1"));
  // On another address it may be the same number.
  auto o = ok({"--port", "7000", "--cluster-port", "7000", "--cluster-host", "127.0.0.2"});
  CAF_CHECK_EQUAL(o.cluster_port, 7000u);
}

CAF_TEST(the repository config ini is valid and equals the defaults) {
  auto path = std::string(ZEAL_SOURCE_DIR) + "/config.ini";
  auto o = ok({"--config", path});
  server_options d;
  d.config_file = path;
  CAF_CHECK_EQUAL(describe_options(o), describe_options(d));
}

CAF_TEST(default config path is read only when present) {
  CAF_CHECK(ok({}).config_file.empty());
  write("config.ini", "[server]\nport = 7000\n");
  auto o = ok({});
  CAF_CHECK_EQUAL(o.port, 7000u);
  CAF_CHECK_EQUAL(o.config_file, default_path());
  // --config replaces the default file entirely.
  auto other = write("other.ini", "[server]\nmax-rooms = 3\n");
  o = ok({"--config", other});
  CAF_CHECK_EQUAL(o.port, 8080u);
  CAF_CHECK_EQUAL(o.max_rooms, 3u);
}

CAF_TEST(missing config file given with-- config) {
  auto m = err({"--config", (dir / "nope.ini").string()});
  CAF_CHECK(contains(m, "--config"));
  CAF_CHECK(contains(m, "nope.ini"));
  CAF_CHECK(contains(m, "does not exist"));
  m = err({"--config", dir.string()});
  CAF_CHECK(contains(m, "is a directory"));
}

CAF_TEST(precedence cli over env over file over defaults) {
  auto path = write("p.ini", "[server]\nhost = filehost\nport = 1111\nmax-rooms = 5\n[log]\nlevel = error\n");
  // file only
  auto o = ok({"--config", path});
  CAF_CHECK_EQUAL(o.host, "filehost");
  CAF_CHECK_EQUAL(o.port, 1111u);
  CAF_CHECK_EQUAL(o.log_level, "error");
  // env over file
  env["HOST"] = "envhost";
  env["PORT"] = "2222";
  env["LOG_LEVEL"] = "warn";
  o = ok({"--config", path});
  CAF_CHECK_EQUAL(o.host, "envhost");
  CAF_CHECK_EQUAL(o.port, 2222u);
  CAF_CHECK_EQUAL(o.log_level, "warn");
  CAF_CHECK_EQUAL(o.max_rooms, 5u);  // untouched by env
  // CLI over env
  o = ok({"--config", path, "--host", "clihost", "-p", "3333", "--log-level=trace", "--max-rooms", "6"});
  CAF_CHECK_EQUAL(o.host, "clihost");
  CAF_CHECK_EQUAL(o.port, 3333u);
  CAF_CHECK_EQUAL(o.log_level, "trace");
  CAF_CHECK_EQUAL(o.max_rooms, 6u);
  // -v is log level debug, over env
  o = ok({"--config", path, "-v"});
  CAF_CHECK_EQUAL(o.log_level, "debug");
}

CAF_TEST(rust_log and log_level) {
  env["RUST_LOG"] = "info,zeal_crdt_server=debug";
  CAF_CHECK_EQUAL(ok({}).log_level, "debug");
  env["RUST_LOG"] = "hyper=trace";
  CAF_CHECK_EQUAL(ok({}).log_level, "info");  // nothing for us: the default stays
  env["RUST_LOG"] = "trace";
  env["LOG_LEVEL"] = "error";
  CAF_CHECK_EQUAL(ok({}).log_level, "error");  // LOG_LEVEL wins
  CAF_CHECK_EQUAL(ok({"--log-level", "critical"}).log_level, "critical");
  env.erase("LOG_LEVEL");
  env["RUST_LOG"] = "zeal=nope";
  auto m = err({});
  CAF_CHECK(contains(m, "environment variable RUST_LOG"));
  CAF_CHECK(contains(m, "zeal=nope"));
  env.erase("RUST_LOG");
  env["LOG_LEVEL"] = "chatty";
  m = err({});
  CAF_CHECK(contains(m, "environment variable LOG_LEVEL"));
  CAF_CHECK(contains(m, "chatty"));
}

CAF_TEST(cli order decides between - v and --log - level) {
  CAF_CHECK_EQUAL(ok({"-v", "--log-level", "warn"}).log_level, "warn");
  CAF_CHECK_EQUAL(ok({"--log-level", "warn", "-v"}).log_level, "debug");
}

CAF_TEST(env errors name the variable) {
  env["PORT"] = "abc";
  auto m = err({});
  CAF_CHECK(contains(m, "environment variable PORT"));
  CAF_CHECK(contains(m, "expected an integer, got \"abc\""));
  env["PORT"] = "65536";
  CAF_CHECK(contains(err({}), "environment variable PORT: value 65536 is out of range (allowed: 0..65535)"));
  // A bad env value is still an error even if the CLI overrides it (every source is validated).
  CAF_CHECK(contains(err({"--port", "1"}), "environment variable PORT"));
  env.erase("PORT");
  env["HOST"] = "has space";
  CAF_CHECK(contains(err({}), "environment variable HOST: must not contain spaces"));
  // empty variables count as unset
  env["HOST"] = "";
  env["PORT"] = "";
  auto o = ok({});
  CAF_CHECK_EQUAL(o.host, "127.0.0.1");
  CAF_CHECK_EQUAL(o.port, 8080u);
}

CAF_TEST(boolean options) {
  auto d = ok({});
  CAF_CHECK_EQUAL(d.in_memory, false);
  CAF_CHECK_EQUAL(d.sync, false);
  // A bare flag means true and does not take the next argument as its value.
  auto o = ok({"--sync", "--in-memory", "--port", "9"});
  CAF_CHECK_EQUAL(o.sync, true);
  CAF_CHECK_EQUAL(o.in_memory, true);
  CAF_CHECK_EQUAL(o.port, 9u);
  o = ok({"--sync=false", "--in-memory=true"});
  CAF_CHECK_EQUAL(o.sync, false);
  CAF_CHECK_EQUAL(o.in_memory, true);
  CAF_CHECK(contains(err({"--sync=yes"}), "--sync: expected true or false, got \"yes\""));
  // CLI over file.
  o = ok({"--config", write("b.ini", "[storage]\nsync = true\n"), "--sync=false"});
  CAF_CHECK_EQUAL(o.sync, false);
  auto m = file_err("[storage]\nsync = \"true\"\n");
  CAF_CHECK(contains(m, "bad.ini:2: [storage] sync: expected true or false (unquoted)"));
  m = file_err("[storage]\nin-memory = 1\n");
  CAF_CHECK(contains(m, "bad.ini:2: [storage] in-memory: expected true or false, got \"1\""));
  m = file_err("[storage]\nsnapshot-idle-seconds = 0\n");
  CAF_CHECK(contains(m, "snapshot-idle-seconds: value 0 is out of range (allowed: 1..86400)"));
  m = file_err("[storage]\ncompact-log-bytes = 10\n");
  CAF_CHECK(contains(m, "compact-log-bytes: value 10 is out of range (allowed: 1024..1073741824)"));
}

CAF_TEST(cli errors name the flag) {
  CAF_CHECK(contains(err({"--port", "abc"}), "--port: expected an integer"));
  CAF_CHECK(contains(err({"--nope"}), "unknown option --nope"));
  CAF_CHECK(contains(err({"--max-rooms", "0"}), "--max-rooms: value 0 is out of range"));
  CAF_CHECK(contains(err({"-p"}), "-p: missing value"));
}

CAF_TEST(file type errors name file line and key) {
  auto m = file_err("[server]\n; comment\nport = \"abc\"\n");
  CAF_CHECK(contains(m, "bad.ini:3: [server] port: "));
  CAF_CHECK(contains(m, "unquoted integer"));
  m = file_err("[server]\nport = abc\n");
  CAF_CHECK(contains(m, "bad.ini:2: [server] port: expected an integer, got \"abc\""));
  m = file_err("[server]\nport = 70000\n");
  CAF_CHECK(contains(m, "bad.ini:2: [server] port: value 70000 is out of range (allowed: 0..65535)"));
  m = file_err("[server]\nhost = x\n\nmax-rooms = 0\n");
  CAF_CHECK(contains(m, "bad.ini:4: [server] max-rooms: value 0 is out of range"));
  m = file_err("[server]\nmax-clients-per-room = -5\n");
  CAF_CHECK(contains(m, "bad.ini:2: [server] max-clients-per-room: value -5 is out of range"));
  m = file_err("[server]\nroom-timeout-minutes = 0\n");
  CAF_CHECK(contains(m, "room-timeout-minutes: value 0 is out of range"));
  m = file_err("[server]\nmax-message-size = 1GB\n");
  CAF_CHECK(contains(m, "max-message-size: expected an integer, got \"1GB\""));
  m = file_err("[server]\nio-threads = 0\n");
  CAF_CHECK(contains(m, "io-threads: value 0 is out of range (allowed: 1..256)"));
  m = file_err("[server]\nactor-threads = 1000\n");
  CAF_CHECK(contains(m, "actor-threads: value 1000 is out of range (allowed: 0..256)"));
  m = file_err("[server]\nhost = \"\"\n");
  CAF_CHECK(contains(m, "bad.ini:2: [server] host: must not be empty"));
  m = file_err("[storage]\ndata-dir = \"a\\tb\"\n");
  CAF_CHECK(contains(m, "bad.ini:2: [storage] data-dir: must not contain control characters"));
  m = file_err("[log]\nlevel = loud\n");
  CAF_CHECK(contains(m, "bad.ini:2: [log] level: unknown log level \"loud\""));
}

CAF_TEST(unknown keys and sections) {
  auto m = file_err("[server]\nport = 1\nprot = 2\n");
  CAF_CHECK(contains(m, "bad.ini:3: unknown key \"prot\" in section [server]"));
  CAF_CHECK(contains(m, "known: host, port"));
  m = file_err("[server]\n[srever]\nport = 1\n");
  CAF_CHECK(contains(m, "bad.ini:2: unknown section [srever]"));
  m = file_err("[cluster]\nnodeid = 1\n");
  CAF_CHECK(contains(m,
                     "bad.ini:2: unknown key \"nodeid\" in section [cluster] (known: node-id, host, port, "
                     "seeds, heartbeat-interval-ms, connection-timeout-ms)"));
  // The CLI spelling of [cluster] port is not an ini key.
  m = file_err("[cluster]\ncluster-port = 7000\n");
  CAF_CHECK(contains(m, "unknown key \"cluster-port\" in section [cluster]"));
  // a key in the wrong section
  m = file_err("[log]\nport = 1\n");
  CAF_CHECK(contains(m, "bad.ini:2: unknown key \"port\" in section [log]"));
  // the CLI spelling of [log] level is not an ini key
  m = file_err("[log]\nlog-level = info\n");
  CAF_CHECK(contains(m, "unknown key \"log-level\""));
}

CAF_TEST(syntax errors name file and line) {
  auto m = file_err("[server]\nport 8080\n");
  CAF_CHECK(contains(m, "bad.ini:2: expected \"key = value\""));
  m = file_err("port = 1\n");
  CAF_CHECK(contains(m, "bad.ini:1: key \"port\" outside of any [section]"));
}

CAF_TEST(the first error stops loading) {
  // A file error is reported even when the CLI would override the key.
  auto path = write("x.ini", "[server]\nport = abc\n");
  CAF_CHECK(contains(err({"--config", path, "--port", "1"}), "x.ini:2: [server] port"));
}

CAF_TEST(apply_config_text directly) {
  server_options o;
  CAF_CHECK(!apply_config_text(o, "[server]\nport = 0\n", "mem"));
  CAF_CHECK_EQUAL(o.port, 0u);
  auto e = apply_config_text(o, "[server]\nport = x\n", "mem");
  CAF_REQUIRE(e);
  CAF_CHECK(contains(*e, "mem:2: [server] port"));
}

CAF_TEST(describe lists every option) {
  auto d = describe_options(server_options{});
  CAF_CHECK(contains(d, "config=(none)"));
  CAF_CHECK(contains(d, "host=127.0.0.1"));
  CAF_CHECK(contains(d, "port=8080"));
  CAF_CHECK(contains(d, "log-level=info"));
  CAF_CHECK(contains(d, "data-dir=./data"));
  CAF_CHECK(contains(d, "cluster-port=0"));
  CAF_CHECK(contains(d, "cluster-heartbeat-ms=500"));
  for (const auto& spec : option_specs()) CAF_CHECK(contains(d, " " + std::string(spec.flag) + "="));
}

CAF_TEST_FIXTURE_SCOPE_END()
