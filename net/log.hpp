#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace zeal::net {

/// The `net` logger (created on first use from the default logger's sinks and level if app/ did not
/// register one). Thread-safe.
spdlog::logger& log();

/// Untrusted text (room names from URLs) made safe for one log line: control characters and backslashes
/// become \xNN (other bytes as they are, like the actors log names); longer than `max` bytes → cut and "..."
/// appended. Empty → "-".
std::string log_safe(std::string_view s, std::size_t max = 128);

}  // namespace zeal::net
