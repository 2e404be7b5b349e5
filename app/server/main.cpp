// zeal-crdt-server: a Yjs collaboration server (y-websocket and seed protocols, HTTP endpoints).
// Exit status: 0 after SIGINT/SIGTERM or --help, 1 if the port cannot be bound, 2 on a configuration error.

#include <cstdio>
#include <string>
#include <vector>

#include "app/server/logging.hpp"
#include "app/server/options_loader.hpp"
#include "app/server/server_main.hpp"

int main(int argc, char** argv) {
  using zeal::app::load_result;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto loaded = zeal::app::load_server_options(args, zeal::app::process_env());
  switch (loaded.status) {
    case load_result::outcome::help:
      std::fputs(loaded.message.c_str(), stdout);
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
