#pragma once

// The start/stop sequence of zeal-crdt-server: actor system, directory, net server, signals, shutdown.

#include "app/server/server_options.hpp"

namespace zeal::app {

/// Runs the server until SIGINT or SIGTERM. Returns the process exit code: 0 after a clean shutdown, 1 if
/// the listener cannot be bound. Logging must be set up. Blocks SIGINT/SIGTERM in the calling thread (and
/// so in every thread started after it) and waits for them with sigwait.
int run_server(const server_options& opts);

}  // namespace zeal::app
