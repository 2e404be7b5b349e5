#include "app/server/options_loader.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <variant>

#include "app/server/cli_args.hpp"
#include "app/server/ini_file.hpp"
#include "app/server/logging.hpp"
#include "app/server/option_table.hpp"

namespace zeal::app {

namespace {

load_result fail(std::string message) {
  load_result r;
  r.status = load_result::outcome::error;
  r.message = std::move(message);
  return r;
}

/// Reads a whole file; nullopt and `error` on failure.
std::optional<std::string> read_file(const std::string& path, std::string& error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "config file " + path + " is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read config file " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = "cannot read config file " + path;
    return std::nullopt;
  }
  return std::move(ss).str();
}

bool is_known_section(std::string_view name) {
  for (auto s : known_sections()) {
    if (s == name) return true;
  }
  return false;
}

std::optional<std::string> env_value(const getenv_fn& getenv, std::string_view name) {
  if (!getenv) return std::nullopt;
  auto v = getenv(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

/// Where each option got its value last (flag → "config.ini:7: [cluster] seeds", "environment variable
/// PORT", "--seeds"), for the errors about a combination of options.
using origin_map = std::map<std::string, std::string, std::less<>>;

std::optional<std::string> apply_config(server_options& opts, std::string_view text, const std::string& path,
                                        origin_map* origins) {
  auto parsed = parse_ini(text);
  if (auto* err = std::get_if<ini_error>(&parsed)) {
    return path + ":" + std::to_string(err->line) + ": " + err->message;
  }
  const auto& doc = std::get<ini_document>(parsed);
  for (const auto& section : doc.sections) {
    const std::string where_section = path + ":" + std::to_string(section.line) + ": ";
    if (!is_known_section(section.name)) {
      std::string known;
      for (auto s : known_sections()) known += (known.empty() ? "" : ", ") + ("[" + std::string(s) + "]");
      return where_section + "unknown section [" + section.name + "] (known: " + known + ")";
    }
    for (const auto& entry : section.entries) {
      const std::string where =
          path + ":" + std::to_string(entry.line) + ": [" + section.name + "] " + entry.key;
      const option_spec* spec = find_option(section.name, entry.key);
      if (spec == nullptr) {
        std::string known;
        for (const auto& s : option_specs()) {
          if (s.section == section.name) known += (known.empty() ? "" : ", ") + std::string(s.key);
        }
        return path + ":" + std::to_string(entry.line) + ": unknown key \"" + entry.key + "\" in section [" +
               section.name + "]" +
               (known.empty() ? " (this section has no keys yet)" : " (known: " + known + ")");
      }
      if (auto e = apply_option(opts, *spec, entry.value, entry.quoted)) return where + ": " + *e;
      if (origins) (*origins)[std::string(spec->flag)] = where;
    }
  }
  return std::nullopt;
}

}  // namespace

getenv_fn process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::optional<std::string> apply_config_text(server_options& opts, std::string_view text,
                                             const std::string& path) {
  return apply_config(opts, text, path, nullptr);
}

load_result load_server_options(const std::vector<std::string>& args, const getenv_fn& getenv,
                                const std::string& default_config_path) {
  auto cli = parse_cli_args(args);
  if (auto* err = std::get_if<std::string>(&cli)) return fail(*err);
  const auto& cl = std::get<cli_args>(cli);
  if (cl.help) {
    load_result r;
    r.status = load_result::outcome::help;
    r.message = usage_text();
    return r;
  }

  server_options opts;
  origin_map origins;

  // config.ini
  std::string path;
  if (cl.config_file) {
    path = *cl.config_file;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return fail("--config: config file " + path + " does not exist");
  } else {
    std::error_code ec;
    if (std::filesystem::exists(default_config_path, ec)) path = default_config_path;
  }
  if (!path.empty()) {
    std::string error;
    auto text = read_file(path, error);
    if (!text) return fail(error);
    if (auto e = apply_config(opts, *text, path, &origins)) return fail(*e);
    opts.config_file = path;
  }

  // Environment.
  auto apply_env = [&](std::string_view var, std::string_view flag,
                       const std::string& value) -> std::optional<std::string> {
    const option_spec* spec = find_option_by_flag(flag);
    if (auto e = apply_option(opts, *spec, value))
      return "environment variable " + std::string(var) + ": " + *e;
    origins[std::string(flag)] = "environment variable " + std::string(var);
    return std::nullopt;
  };
  if (auto v = env_value(getenv, "HOST")) {
    if (auto e = apply_env("HOST", "host", *v)) return fail(*e);
  }
  if (auto v = env_value(getenv, "PORT")) {
    if (auto e = apply_env("PORT", "port", *v)) return fail(*e);
  }
  if (auto v = env_value(getenv, "RUST_LOG")) {
    auto r = parse_rust_log(*v);
    if (r.error) return fail("environment variable RUST_LOG: " + *r.error);
    if (r.level) opts.log_level = *r.level;
  }
  if (auto v = env_value(getenv, "LOG_LEVEL")) {
    if (auto e = apply_env("LOG_LEVEL", "log-level", *v)) return fail(*e);
  }

  // Command line.
  for (const auto& s : cl.settings) {
    if (auto e = apply_option(opts, *s.spec, s.value)) return fail(s.flag + ": " + *e);
    origins[std::string(s.spec->flag)] = s.flag;
  }

  // Options that depend on each other: named by where the refused one was set, else where the one it
  // conflicts with was set (else by its flag: only defaults involved, which cannot happen).
  if (auto e = check_option_combination(opts)) {
    auto it = origins.find(e->flag);
    if (it == origins.end() && !e->other_flag.empty()) it = origins.find(e->other_flag);
    std::string where = it != origins.end() ? it->second : "--" + std::string(e->flag);
    return fail(where + ": " + e->message);
  }

  load_result r;
  r.options = std::move(opts);
  return r;
}

std::string describe_options(const server_options& opts) {
  std::string out = "config=" + (opts.config_file.empty() ? std::string("(none)") : opts.config_file);
  for (const auto& spec : option_specs()) {
    out += " " + std::string(spec.flag) + "=" + option_value(opts, spec);
  }
  return out;
}

}  // namespace zeal::app
