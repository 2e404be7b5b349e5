#pragma once

// The command line of zeal-crdt-server (contract.md): `--flag VALUE`, `--flag=VALUE`, `-p VALUE`, `-pVALUE`,
// `-v/--verbose`, `-h/--help`, `--config FILE`. Every option of option_table.hpp has a long flag.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "app/server/option_table.hpp"

namespace zeal::app {

/// One option set on the command line, in command-line order.
struct cli_setting {
  const option_spec* spec = nullptr;
  std::string value;
  std::string flag;  // as written (without "=VALUE"), for error messages: "--port", "-p", "-v"
};

struct cli_args {
  bool help = false;
  std::optional<std::string> config_file;  // --config FILE (the last one wins)
  std::vector<cli_setting> settings;       // -v appears as log-level=debug with flag "-v"
};

/// Parses the arguments after argv[0]. Values are checked against the option table (numbers, ranges, log
/// levels); an error names the flag: `--port: expected an integer, got "abc"`, `unknown option --foo`.
std::variant<cli_args, std::string> parse_cli_args(const std::vector<std::string>& args);

/// The --help text (flags with their defaults, environment variables, config precedence).
std::string usage_text();

}  // namespace zeal::app
