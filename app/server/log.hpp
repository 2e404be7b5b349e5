#pragma once

// The "app" logger (start-up, options, signals, shutdown).

#include <memory>

#include <spdlog/logger.h>

namespace zeal::app {

/// The "app" logger; created on first use (thread-safe), writes to stderr.
std::shared_ptr<spdlog::logger> log();

}  // namespace zeal::app
