#define CAF_SUITE server_logging
#include <caf/test/unit_test.hpp>

// Log level names, RUST_LOG interpretation and the spdlog set-up.

#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "app/server/log.hpp"
#include "app/server/logging.hpp"

using namespace zeal::app;

namespace {

std::string rust(const std::string& spec) {
  auto r = parse_rust_log(spec);
  if (r.error) return "error: " + *r.error;
  return r.level ? *r.level : "(none)";
}

}  // namespace

CAF_TEST(level names) {
  CAF_CHECK(parse_log_level("trace") == spdlog::level::trace);
  CAF_CHECK(parse_log_level("debug") == spdlog::level::debug);
  CAF_CHECK(parse_log_level("info") == spdlog::level::info);
  CAF_CHECK(parse_log_level("warn") == spdlog::level::warn);
  CAF_CHECK(parse_log_level("warning") == spdlog::level::warn);
  CAF_CHECK(parse_log_level("error") == spdlog::level::err);
  CAF_CHECK(parse_log_level("critical") == spdlog::level::critical);
  CAF_CHECK(parse_log_level("off") == spdlog::level::off);
  CAF_CHECK(parse_log_level("DEBUG") == spdlog::level::debug);
  CAF_CHECK(parse_log_level(" Info ") == spdlog::level::info);
  CAF_CHECK(!parse_log_level(""));
  CAF_CHECK(!parse_log_level("verbose"));
  CAF_CHECK(!parse_log_level("err"));
  CAF_CHECK(!parse_log_level("5"));
}

CAF_TEST(canonical names round trip) {
  for (const char* n : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    auto l = parse_log_level(n);
    CAF_REQUIRE(l);
    CAF_CHECK_EQUAL(log_level_name(*l), n);
  }
  CAF_CHECK_EQUAL(log_level_name(*parse_log_level("WARNING")), "warn");
}

CAF_TEST(rust_log bare levels) {
  CAF_CHECK_EQUAL(rust("debug"), "debug");
  CAF_CHECK_EQUAL(rust("WARN"), "warn");
  CAF_CHECK_EQUAL(rust("off"), "off");
  CAF_CHECK_EQUAL(rust(""), "(none)");
  CAF_CHECK_EQUAL(rust(" , ,"), "(none)");
}

CAF_TEST(rust_log targets) {
  CAF_CHECK_EQUAL(rust("zeal=debug"), "debug");
  CAF_CHECK_EQUAL(rust("info,zeal_crdt_server=debug"), "debug");
  CAF_CHECK_EQUAL(rust("zeal=debug,info"), "info");  // the last applicable entry wins
  CAF_CHECK_EQUAL(rust("zeal::net=trace"), "trace");
  CAF_CHECK_EQUAL(rust("hyper=debug"), "(none)");  // other targets do not concern us
  CAF_CHECK_EQUAL(rust("warn,hyper=trace"), "warn");
  CAF_CHECK_EQUAL(rust("zeal"), "trace");  // env_logger: a bare target means everything
  CAF_CHECK_EQUAL(rust("tokio"), "(none)");
  CAF_CHECK_EQUAL(rust(" info , zeal = error "), "error");
}

CAF_TEST(rust_log errors) {
  CAF_CHECK(rust("zeal=loud").rfind("error: ", 0) == 0);
  CAF_CHECK(rust("=debug").rfind("error: ", 0) == 0);
  CAF_CHECK(rust("hyper=").rfind("error: ", 0) == 0);
  CAF_CHECK(rust("info/foo").rfind("error: ", 0) == 0);
  CAF_CHECK(rust("what?").rfind("error: ", 0) == 0);
  CAF_CHECK(rust("zeal=loud").find("zeal=loud") != std::string::npos);
}

CAF_TEST(setup sets level and shares the stderr sink) {
  setup_logging("debug");
  CAF_CHECK(spdlog::default_logger() == log());
  CAF_CHECK_EQUAL(log()->name(), "app");
  CAF_CHECK(log()->level() == spdlog::level::debug);
  for (const char* name : {"net", "directory", "room", "client", "cluster"}) {
    auto l = spdlog::get(name);
    CAF_REQUIRE(l != nullptr);
    CAF_CHECK(l->level() == spdlog::level::debug);
    CAF_REQUIRE_EQUAL(l->sinks().size(), 1u);
    CAF_CHECK(l->sinks().front() == log()->sinks().front());
  }
  setup_logging("warn");
  CAF_CHECK(log()->level() == spdlog::level::warn);
  CAF_CHECK(spdlog::get("room")->level() == spdlog::level::warn);
  setup_logging("off");
  CAF_CHECK(spdlog::get("net")->level() == spdlog::level::off);
}
