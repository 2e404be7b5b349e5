#pragma once

#include <string>
#include <string_view>

namespace zeal::actors {

/// One text frame of the seed protocol (ws://host/ws), parsed.
struct seed_command {
  enum class kind { join, leave, invalid };
  kind type = kind::invalid;
  std::string room;   // join: the room name (not validated here)
  std::string error;  // invalid: what is wrong, for the {"error": ...} reply
};

/// Parses `{"action":"join","room":"r"}` or `{"action":"leave"}`. Bad JSON, a non-object, a missing or
/// unknown action, or a missing/non-string room give kind::invalid with a reason. Never throws.
seed_command parse_seed_command(std::string_view text);

/// The error text frame `{"error":"<reason>"}` (reason JSON-escaped).
std::string seed_error_text(std::string_view reason);

}  // namespace zeal::actors
