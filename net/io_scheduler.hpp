#pragma once
// A CAF scheduler that runs every (non-detached) actor on one Asio I/O thread, the thread that also runs
// the server's sockets: a message from a connection to its client actor, on to the room and back to the
// connections' write queues never changes threads (no futex, no wake-up, no context switch). For a server
// given one core (`actor-threads = 0`, which needs `io-threads = 1`). Detached actors (the store) keep
// their own threads; CAF's timer thread and the cluster's network thread post onto the I/O thread.
//
// This header includes neither CAF's nor Asio's headers.

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace caf {
class actor_system;
class actor_system_config;
}  // namespace caf

namespace zeal::net {

/// Makes the actor system built from `cfg` use the I/O-thread scheduler (call before constructing it).
/// The scheduler starts its thread with the actor system and stops it after the last actor.
void use_io_scheduler(caf::actor_system_config& cfg);

/// The io_context that `sys`'s I/O-thread scheduler runs, or nullptr if `sys` uses another scheduler.
/// It runs from the actor system's start to its end: a net::server on it must be stopped before.
boost::asio::io_context* io_context_of(caf::actor_system& sys);

}  // namespace zeal::net
