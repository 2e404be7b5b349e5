#include "app/server/cli_args.hpp"

#include <algorithm>

namespace zeal::app {

namespace {

std::string problem(const std::string& flag, const std::string& what) {
  return flag + ": " + what;
}

/// Checks `value` against the table (on scratch options): bad numbers are command-line errors.
std::optional<std::string> check(const option_spec& spec, const std::string& flag, const std::string& value) {
  server_options scratch;
  if (auto e = apply_option(scratch, spec, value)) return problem(flag, *e);
  return std::nullopt;
}

}  // namespace

std::variant<cli_args, std::string> parse_cli_args(const std::vector<std::string>& args) {
  cli_args out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    if (arg == "-v" || arg == "--verbose") {
      out.settings.push_back({find_option_by_flag("log-level"), "debug", arg});
      continue;
    }
    std::string flag;
    std::optional<std::string> inline_value;
    const option_spec* spec = nullptr;
    bool is_config = false;
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      std::size_t eq = arg.find('=');
      flag = arg.substr(0, eq);
      if (eq != std::string::npos) inline_value = arg.substr(eq + 1);
      std::string name = flag.substr(2);
      if (name == "config") {
        is_config = true;
      } else if (name == "help" || name == "verbose") {
        return problem(flag, "takes no value");
      } else {
        spec = find_option_by_flag(name);
      }
    } else if (arg.size() >= 2 && arg[0] == '-' && arg[1] != '-') {
      flag = arg.substr(0, 2);
      if (arg.size() > 2) inline_value = arg.substr(arg[2] == '=' ? 3 : 2);
      spec = find_option_by_short_flag(arg[1]);
      if (spec == nullptr && (arg[1] == 'h' || arg[1] == 'v')) return problem(flag, "takes no value");
    } else if (arg == "--") {
      return std::string("unexpected argument \"--\"");
    } else {
      return "unexpected argument \"" + arg + "\" (options start with --; see --help)";
    }
    if (spec == nullptr && !is_config) return "unknown option " + flag + " (see --help)";
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (spec != nullptr && spec->kind == option_kind::boolean) {
      value = "true";  // a bare boolean flag
    } else {
      if (i + 1 >= args.size()) return problem(flag, "missing value");
      value = args[++i];
    }
    if (value.empty()) return problem(flag, "missing value");
    if (is_config) {
      out.config_file = value;
      continue;
    }
    if (auto e = check(*spec, flag, value)) return *e;
    out.settings.push_back({spec, value, flag});
  }
  return out;
}

std::string usage_text() {
  const server_options defaults;
  std::string u;
  u += "usage: zeal-crdt-server [OPTIONS]\n";
  u += "\n";
  u += "A Yjs collaboration server: y-websocket on ws://HOST:PORT/<room>, the seed protocol on\n";
  u += "ws://HOST:PORT/ws, HTTP GET /health /stats /metrics /cluster /rooms/<room> on the same port.\n";
  u += "\n";
  u += "Options (default in brackets):\n";
  auto line = [&u](std::string left, const std::string& help) {
    left = "  " + left;
    if (left.size() < 34)
      left.resize(34, ' ');
    else
      left += "  ";
    u += left + help + "\n";
  };
  for (const auto& spec : option_specs()) {
    std::string left;
    if (spec.short_flag != 0) left += std::string("-") + spec.short_flag + ", ";
    left += "--" + std::string(spec.flag);
    if (!spec.value_name.empty()) left += " " + std::string(spec.value_name);
    auto value = option_value(defaults, spec);
    line(left, std::string(spec.help) + " [" + (value.empty() ? std::string("\"\"") : value) + "]");
  }
  line("-v, --verbose", "log level debug (same as --log-level debug)");
  line("--config FILE", "read FILE instead of ./config.ini (an error if FILE is missing)");
  line("-h, --help", "print this text and exit");
  u += "\n";
  u += "Values may also be written --flag=VALUE. Environment: HOST, PORT, RUST_LOG or LOG_LEVEL (LOG_LEVEL "
       "wins\n";
  u += "if both are set; RUST_LOG accepts `debug`, `zeal=debug`, `info,zeal_crdt_server=debug`).\n";
  u += "Precedence: command line > environment > config file > defaults. config.ini has the sections "
       "[server],\n";
  u += "[storage], [log] (level) and [cluster], with the flag names as keys except [log] level and, in\n";
  u += "[cluster], host, port, heartbeat-interval-ms and connection-timeout-ms (--cluster-host,\n";
  u += "--cluster-port, --cluster-heartbeat-ms, --cluster-timeout-ms); see the repository's config.ini. "
       "Boolean\n";
  u += "flags alone mean true (--sync); --sync=false also works; in config.ini write true or false.\n";
  u += "Exit status: 0 after SIGINT/SIGTERM, 1 if a port (HTTP or cluster) cannot be bound, 2 on a\n";
  u += "configuration error.\n";
  return u;
}

}  // namespace zeal::app
