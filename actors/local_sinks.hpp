#pragma once

// The connection sinks of this process's client actors, by actor address: a room delivers frames to a
// local y-websocket member's connection directly (one shared buffer for every receiver, no actor hop);
// remote members (another node) and members without a registered sink get (push_atom) messages.

#include <memory>

#include <caf/fwd.hpp>

#include "actors/connection_sink.hpp"

namespace zeal::actors {

/// Registers `sink` for the actor at `addr` (a client actor registers itself when it starts).
void register_local_sink(const caf::actor_addr& addr, const std::shared_ptr<connection_sink>& sink);
/// Removes the entry (the client actor unregisters itself when it terminates).
void unregister_local_sink(const caf::actor_addr& addr);
/// The sink registered for `addr`, or null (a remote actor, or one that registered none).
std::shared_ptr<connection_sink> find_local_sink(const caf::actor_addr& addr);

}  // namespace zeal::actors
