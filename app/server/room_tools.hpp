#pragma once

// The offline room tools of zeal-crdt-server (contract4.md, "CLI"); they open the data directory
// themselves, so the server must not be running on it (RocksDB allows one process per directory):
//   zeal-crdt-server export ROOM [FILE] [server options]   the room's full state as one v1 update
//   zeal-crdt-server import ROOM FILE   [server options]   merge a v1 update into the stored room
//   zeal-crdt-server rooms              [server options]   every stored room name, sorted
// ROOM and FILE come right after the command; the server options (--config, --data-dir, environment,
// ./config.ini) follow and are loaded exactly as for the server. FILE "-" is stdin / stdout (export
// refuses to write to a terminal). The tools always use data-dir (in-memory is ignored).
// Exit status: 0 success; 1 operational failure (no data directory, directory in use, room not stored,
// I/O error); 2 bad input (usage, options, a FILE or stored record that does not decode).

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/server/options_loader.hpp"
#include "crdt/doc/doc.hpp"
#include "persistence/store.hpp"

namespace zeal::app {

inline constexpr int tool_exit_ok = 0;
inline constexpr int tool_exit_failure = 1;
inline constexpr int tool_exit_bad_input = 2;

/// "export", "import" or "rooms".
bool is_room_tool(std::string_view command);

/// The usage text of the room tools (printed for `zeal-crdt-server export --help` and after the
/// server's own --help text).
std::string room_tools_usage();

/// What a tool function did: exit status and a message (ok: the line for stdout, possibly empty;
/// otherwise: the problem, for stderr).
struct tool_outcome {
  int exit_code = tool_exit_ok;
  std::string message;
};

/// A room name or key for messages and the `rooms` listing: control bytes as \xNN, everything else
/// (UTF-8 included) as is.
std::string display_name(std::string_view name);

/// A document configured as the server's rooms configure theirs (gc on, no format cleanup).
crdt::doc make_room_doc();

/// Applies what the store holds for `room` to `d` as a room does when it loads: the snapshot, then every
/// log entry in order. On failure returns the problem naming the room and the record (snapshot or
/// log seq N, with its key); `d` then holds the records before it.
std::optional<std::string> build_room_doc(std::string_view room, const persistence::room_data& data,
                                          crdt::doc& d);

/// `update` must decode as a v1 update (checked on a scratch document); the problem names `label`.
std::optional<std::string> validate_update(crdt::bytes_view update, const std::string& label);

/// The room's full state (snapshot + log applied, encode_state_as_update v1) into `state`.
/// Exit 1 if nothing is stored for the room (`dir` names the data directory), 2 if a record is bad.
tool_outcome export_room(persistence::store& s, std::string_view room, const std::string& dir,
                         crdt::bytes& state);

/// Merges `update` (already validated; `label` names it in messages) into the stored room (a new room if
/// none), appends it to the room's log and writes the merged state as the snapshot covering the whole
/// log. Nothing is written if the room does not load or the update does not apply.
tool_outcome import_room(persistence::store& s, std::string_view room, crdt::bytes_view update,
                         const std::string& label);

/// Every stored room name, sorted.
tool_outcome list_rooms(persistence::store& s, std::vector<std::string>& rooms);

/// Runs a room tool: `args` are argv[1..] (args[0] is the tool's name). Data and result lines go to
/// `out`, problems to `err` (prefixed "zeal-crdt-server <tool>: "). Returns the exit status.
int run_room_tool(const std::vector<std::string>& args, const getenv_fn& getenv, std::FILE* out,
                  std::FILE* err, const std::string& default_config_path = "config.ini");

}  // namespace zeal::app
