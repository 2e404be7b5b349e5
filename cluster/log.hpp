#pragma once

#include <spdlog/logger.h>

namespace zeal::cluster::log {

/// The `cluster` logger (created on first use if app/ has not registered it yet).
spdlog::logger& cluster();

}  // namespace zeal::cluster::log
