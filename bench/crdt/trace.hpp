#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zeal::bench {

/// One patch of an editing trace: at `position` delete `deleted` characters, then insert `inserted`.
struct trace_patch {
  std::uint64_t position = 0;
  std::uint64_t deleted = 0;
  std::string inserted;  // UTF-8
};

/// A sequential editing trace (josephg/editing-traces format): start content, transactions of patches,
/// expected end content. Positions count UTF-16 units here, as the traces' JS consumers do.
struct trace {
  std::string start_content;
  std::string end_content;
  std::vector<std::vector<trace_patch>> txns;
};

/// Loads a trace from a .json or .json.gz file (gzip via `gzip -dc`). Sets `error` on failure.
std::optional<trace> load_trace(const std::string& path, std::string& error);

}  // namespace zeal::bench
