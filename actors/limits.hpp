#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace zeal::actors {

/// Limits and timings the actors enforce (filled from the server options by app/).
struct room_limits {
  std::size_t max_rooms = 1000;
  std::size_t max_clients_per_room = 100;
  /// A room with no members for this long is unloaded.
  std::chrono::milliseconds room_timeout = std::chrono::minutes{30};
  /// Awareness states not renewed for this long are removed (y-protocols: 30 s).
  std::chrono::milliseconds awareness_timeout = std::chrono::seconds{30};
  /// How often a room with members checks for outdated awareness states.
  std::chrono::milliseconds awareness_check_interval = std::chrono::seconds{15};
  /// Bytes of one room name (UTF-8).
  std::size_t max_room_name_bytes = 256;
  /// Bytes of frames a client actor buffers while its join is in flight (they are forwarded in order
  /// once the join is accepted); more closes the connection (1008).
  std::size_t max_join_buffer_bytes = 16 * 1024 * 1024;

  // Persistence (used only when the room has a store actor).
  /// A room with stored changes and no update for this long writes a snapshot.
  std::chrono::milliseconds snapshot_idle = std::chrono::seconds{5};
  /// A room whose log (since its last snapshot) holds this many entries or bytes writes a snapshot.
  std::uint64_t compact_log_entries = 1000;
  std::uint64_t compact_log_bytes = 4 * 1024 * 1024;
};

}  // namespace zeal::actors
