#include "actors/log.hpp"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace zeal::actors::log {

std::shared_ptr<spdlog::logger> get_or_create(const std::string& name) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> guard{mutex};
  if (auto existing = spdlog::get(name)) return existing;
  try {
    return spdlog::stderr_color_mt(name);
  } catch (const spdlog::spdlog_ex&) {
    // Registered concurrently by someone else (app/ creates loggers too).
    if (auto existing = spdlog::get(name)) return existing;
    throw;
  }
}

spdlog::logger& directory() {
  static const std::shared_ptr<spdlog::logger> logger = get_or_create("directory");
  return *logger;
}

spdlog::logger& room() {
  static const std::shared_ptr<spdlog::logger> logger = get_or_create("room");
  return *logger;
}

spdlog::logger& client() {
  static const std::shared_ptr<spdlog::logger> logger = get_or_create("client");
  return *logger;
}

}  // namespace zeal::actors::log
