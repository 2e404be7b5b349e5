#include "app/server/logging.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/server/log.hpp"

namespace zeal::app {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

constexpr const char* module_loggers[] = {"net", "directory", "room", "client", "cluster"};

}  // namespace

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  const std::string n = lower(trim(name));
  if (n == "trace") return spdlog::level::trace;
  if (n == "debug") return spdlog::level::debug;
  if (n == "info") return spdlog::level::info;
  if (n == "warn" || n == "warning") return spdlog::level::warn;
  if (n == "error") return spdlog::level::err;
  if (n == "critical") return spdlog::level::critical;
  if (n == "off") return spdlog::level::off;
  return std::nullopt;
}

std::string log_level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

rust_log_result parse_rust_log(std::string_view spec) {
  rust_log_result result;
  std::size_t pos = 0;
  while (pos <= spec.size()) {
    std::size_t comma = spec.find(',', pos);
    std::string_view entry =
        trim(spec.substr(pos, comma == std::string_view::npos ? spec.npos : comma - pos));
    pos = comma == std::string_view::npos ? spec.size() + 1 : comma + 1;
    if (entry.empty()) continue;
    if (entry.find('/') != std::string_view::npos) {
      result.error = "filter expressions (\"/...\") are not supported: \"" + std::string(entry) + "\"";
      return result;
    }
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) {
      auto level = parse_log_level(entry);
      if (!level) {
        // env_logger reads `RUST_LOG=zeal` as "everything of target zeal": treat it as trace for us.
        std::string target = lower(entry);
        if (target.rfind("zeal", 0) == 0) {
          result.level = "trace";
          continue;
        }
        if (target.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_:-") == std::string::npos)
          continue;
        result.error = "invalid entry \"" + std::string(entry) + "\"";
        return result;
      }
      result.level = log_level_name(*level);
      continue;
    }
    std::string target = lower(trim(entry.substr(0, eq)));
    auto level = parse_log_level(entry.substr(eq + 1));
    if (target.empty() || !level) {
      result.error = "invalid entry \"" + std::string(entry) +
                     "\" (expected LEVEL or TARGET=LEVEL; levels: trace, debug, info, warn, error, off)";
      return result;
    }
    if (target.rfind("zeal", 0) == 0) result.level = log_level_name(*level);
  }
  return result;
}

void setup_logging(const std::string& level) {
  auto lvl = parse_log_level(level).value_or(spdlog::level::info);
  auto app_logger = log();
  spdlog::set_default_logger(app_logger);
  // The other modules' loggers share the app logger's stderr sink (modules create them on first use
  // only if they are not registered yet).
  for (const char* name : module_loggers) {
    if (spdlog::get(name)) continue;
    try {
      spdlog::register_logger(
          std::make_shared<spdlog::logger>(name, app_logger->sinks().begin(), app_logger->sinks().end()));
    } catch (const spdlog::spdlog_ex&) {
      // Registered concurrently by its module: keep that one.
    }
  }
  spdlog::set_pattern(log_pattern);
  spdlog::set_level(lvl);
  spdlog::flush_on(spdlog::level::trace);
}

std::shared_ptr<spdlog::logger> log() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("app")) return existing;
    auto l = spdlog::stderr_color_mt("app");
    l->set_pattern(log_pattern);
    return l;
  }();
  return logger;
}

}  // namespace zeal::app
