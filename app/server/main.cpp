// zeal-crdt-server: a Yjs collaboration server (y-websocket and seed protocols, HTTP endpoints), and its
// offline room tools (app/server/room_tools.hpp):
//   zeal-crdt-server [OPTIONS]                           the server
//   zeal-crdt-server export ROOM [FILE] [OPTIONS]        a stored room's full state as a v1 update
//   zeal-crdt-server import ROOM FILE   [OPTIONS]        merge a v1 update into a stored room
//   zeal-crdt-server rooms              [OPTIONS]        the stored room names
// Server exit status: 0 after SIGINT/SIGTERM or --help, 1 if a port (HTTP or cluster) cannot be bound, 2 on a
// configuration error. Room tools: 0 success, 1 operational failure (no data directory, directory in use,
// room not stored, I/O), 2 bad input (usage, options, an update or stored record that does not decode).

#include <cstdio>
#include <string>
#include <vector>

#include "app/server/logging.hpp"
#include "app/server/options_loader.hpp"
#include "app/server/room_tools.hpp"
#include "app/server/server_main.hpp"

int main(int argc, char** argv) {
  using zeal::app::load_result;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && zeal::app::is_room_tool(args[0]))
    return zeal::app::run_room_tool(args, zeal::app::process_env(), stdout, stderr);
  auto loaded = zeal::app::load_server_options(args, zeal::app::process_env());
  switch (loaded.status) {
    case load_result::outcome::help:
      std::fputs(loaded.message.c_str(), stdout);
      std::fputs("\n", stdout);
      std::fputs(zeal::app::room_tools_usage().c_str(), stdout);
      return 0;
    case load_result::outcome::error:
      std::fprintf(stderr, "zeal-crdt-server: %s\n", loaded.message.c_str());
      return 2;
    case load_result::outcome::ok:
      break;
  }
  zeal::app::setup_logging(loaded.options.log_level);
  return zeal::app::run_server(loaded.options);
}
