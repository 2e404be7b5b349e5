#pragma once

// Loads and validates the server options: defaults < config.ini < environment < command line.
//   config file: --config FILE (must exist), else `default_config_path` (./config.ini) if it exists
//   environment: HOST, PORT, RUST_LOG, LOG_LEVEL (LOG_LEVEL wins over RUST_LOG; empty variables are unset)
//   command line: cli_args.hpp
// Any bad value stops start-up: the message names the source (`config.ini:7: [server] port`,
// `environment variable PORT`, `--port`) and the problem.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/server/server_options.hpp"

namespace zeal::app {

/// Reads one environment variable (nullopt: not set). ::getenv in production, a map in tests.
using getenv_fn = std::function<std::optional<std::string>(std::string_view name)>;

/// getenv_fn over the process environment.
getenv_fn process_env();

struct load_result {
  enum class outcome { ok, help, error };
  outcome status = outcome::ok;
  server_options options;  // valid when status == ok
  std::string message;     // help: the usage text; error: what is wrong and where
};

/// `args` are argv[1..]. `default_config_path` is read when present and --config is not given.
load_result load_server_options(const std::vector<std::string>& args, const getenv_fn& getenv,
                                const std::string& default_config_path = "config.ini");

/// Applies config.ini text to `opts` (`path` only names the file in messages). nullopt or the error.
std::optional<std::string> apply_config_text(server_options& opts, std::string_view text,
                                             const std::string& path);

/// One line describing every effective option (logged at start-up).
std::string describe_options(const server_options& opts);

}  // namespace zeal::app
