#pragma once

// Log levels (names as in spdlog and Rust's RUST_LOG) and the process-wide spdlog setup: every logger
// writes to stderr with the pattern `[%Y-%m-%d %H:%M:%S.%e] [%n] [%l] %v`.

#include <optional>
#include <string>
#include <string_view>

#include <spdlog/common.h>

namespace zeal::app {

/// The log line pattern (contract.md).
inline constexpr const char* log_pattern = "[%Y-%m-%d %H:%M:%S.%e] [%n] [%l] %v";

/// trace, debug, info, warn (or warning), error, critical, off; case-insensitive. nullopt if unknown.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

/// The canonical name: "trace", "debug", "info", "warn", "error", "critical", "off".
std::string log_level_name(spdlog::level::level_enum level);

struct rust_log_result {
  std::optional<std::string> level;  // canonical level name; nullopt: RUST_LOG says nothing about us
  std::optional<std::string> error;  // set if RUST_LOG is malformed
};

/// Interprets a RUST_LOG value: comma-separated entries, each a bare level (`debug`) or `target=level`.
/// The last bare level or entry whose target starts with "zeal" (`zeal=debug`,
/// `zeal_crdt_server=trace`, `zeal::net=warn`) wins; entries for other targets are checked and ignored.
/// A `/filter` suffix (env_logger's regex filter) is not supported and is an error.
rust_log_result parse_rust_log(std::string_view spec);

/// Sets the global level, pattern and stderr sink of every logger (existing ones and those created later
/// through spdlog's factories), makes the "app" logger the default one and flushes on every line.
/// `level` must be a valid level name (the options loader checked it).
void setup_logging(const std::string& level);

}  // namespace zeal::app
