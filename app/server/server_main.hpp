#pragma once

// The start/stop sequence of zeal-crdt-server: actor system (with CAF's middleman), store, cluster router
// and membership (the cluster listener), net server, signals, shutdown (leave the cluster, stop the network,
// hand off or stop the rooms, stop the store).

#include "app/server/server_options.hpp"

namespace zeal::app {

/// Runs the server until SIGINT or SIGTERM. Returns the process exit code: 0 after a clean shutdown, 1 if
/// the HTTP listener or the cluster listener ([cluster] port) cannot be bound or the storage cannot be
/// opened. Logging must be set up. Blocks SIGINT/SIGTERM in the calling thread (and so in every thread
/// started after it) and waits for them with sigwait.
int run_server(const server_options& opts);

}  // namespace zeal::app
