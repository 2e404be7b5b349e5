#pragma once

#include <iosfwd>

#include "app/ydoc/cli_options.hpp"

namespace zeal::ydoc {

/// Exit codes of zeal-ydoc.
enum exit_code : int { exit_ok = 0, exit_usage = 1, exit_malformed = 2 };

/// Runs one parsed command; data goes to `out`, messages to `err`.
int run_command(const cli_options& opts, std::ostream& out, std::ostream& err);

}  // namespace zeal::ydoc
