#pragma once

// The table of server options: one row per option, naming its config.ini section and key, its CLI flag,
// its type and range. The INI, environment and CLI paths all validate and assign through apply_option, so
// a value means the same thing wherever it comes from.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "app/server/server_options.hpp"

namespace zeal::app {

enum class option_kind : std::uint8_t {
  integer,        // unsigned decimal, within [min, max]; in config.ini unquoted
  text,           // a non-empty string without control characters, quoted or bare
  text_or_empty,  // as text, but "" is allowed (and means the default: [cluster] node-id, seeds)
  log_level,      // trace, debug, info, warn, error, critical, off
  boolean,        // true or false (unquoted in config.ini); on the CLI the bare flag means true
};

struct option_spec {
  std::string_view section;  // config.ini section: "server", "storage", "log", "cluster"
  std::string_view key;      // config.ini key, e.g. "max-rooms"
  std::string_view flag;     // long CLI flag without "--", unique, e.g. "max-rooms" ("log-level" for [log]
                             // level, "cluster-port" for [cluster] port)
  char short_flag;           // e.g. 'p' for --port, 0 if none
  option_kind kind;
  std::uint64_t min;  // integer kinds
  std::uint64_t max;
  std::string_view value_name;  // in the usage text: N, HOST, DIR, LEVEL
  std::string_view help;
};

/// Every option, in the order of config.ini.
std::span<const option_spec> option_specs();

/// The sections config.ini may contain.
std::span<const std::string_view> known_sections();

const option_spec* find_option(std::string_view section, std::string_view key);
const option_spec* find_option_by_flag(std::string_view long_flag);
const option_spec* find_option_by_short_flag(char c);

/// Validates `value` for `spec` and assigns it to `opts`. `quoted` says the value was a quoted string in
/// config.ini (integers must not be quoted there). Returns the problem (without naming the source) on error.
/// Checks one value only; what depends on several options (seeds need a cluster port, the connection
/// timeout must exceed the heartbeat) is checked by check_option_combination.
std::optional<std::string> apply_option(server_options& opts, const option_spec& spec, std::string_view value,
                                        bool quoted = false);

/// The problem with a combination of options (nullopt: none). Checked after every source is applied.
struct combination_error {
  std::string_view flag;        // the option whose value is refused
  std::string_view other_flag;  // the option it conflicts with, if it is the one that was set ("": none)
  std::string message;
};
std::optional<combination_error> check_option_combination(const server_options& opts);

/// The current value of `spec` in `opts`, as text (for the usage text and the start-up log line).
std::string option_value(const server_options& opts, const option_spec& spec);

}  // namespace zeal::app
