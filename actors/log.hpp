#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace zeal::actors::log {

/// The registered spdlog logger `name`, created (stderr, colour) on first use if app/ has not registered
/// it yet. Thread-safe.
std::shared_ptr<spdlog::logger> get_or_create(const std::string& name);

/// The module's loggers (cached after the first call).
spdlog::logger& directory();
spdlog::logger& room();
spdlog::logger& client();

}  // namespace zeal::actors::log
