#pragma once

// The store actor: owns a persistence::store and serves the messages of actors/store_messages.hpp.
// Appends are group-committed: every append that arrives while a batch is open joins it, and the batch is
// written with one store::append_batch when the actor's own flush message comes up in its (FIFO) mailbox,
// or earlier when it holds more than max_batch_entries entries or max_batch_bytes bytes. load, snapshot,
// remove and stats write the open batch first, so they see every append accepted before them.
// A snapshot with covered == covers_all covers the room's last stored seq when it is handled (0 when
// nothing is stored): a replica's snapshot, whose owner does not know our seq numbers.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/metrics.hpp"
#include "actors/store_messages.hpp"
#include "persistence/store.hpp"

namespace zeal::persistence {

struct store_actor_options {
  static constexpr std::size_t default_max_batch_entries = 1024;
  static constexpr std::size_t default_max_batch_bytes = std::size_t{4} << 20;

  /// Write the batch as soon as it holds more than this many entries ...
  std::size_t max_batch_entries = default_max_batch_entries;
  /// ... or more than this many update bytes.
  std::size_t max_batch_bytes = default_max_batch_bytes;
  /// Spawn detached (own thread: blocking RocksDB I/O never runs on the scheduler's threads). Tests with
  /// test_coordinator_fixture pass false.
  bool detached = true;
  /// If set: the storage gauges (from store::stats(), which is O(1)) are published here after every
  /// write, and appends/snapshots/write errors counted.
  std::shared_ptr<actors::server_metrics> metrics;
};

/// Spawns the store actor detached.
caf::actor spawn_store_actor(caf::actor_system& sys, std::shared_ptr<store> st);

/// Spawns the store actor detached or (for tests) scheduled.
caf::actor spawn_store_actor(caf::actor_system& sys, std::shared_ptr<store> st, bool detached);

caf::actor spawn_store_actor(caf::actor_system& sys, std::shared_ptr<store> st, store_actor_options options);

/// The error the store actor replies with: caf::sec::runtime_error with `message` as its context.
caf::error make_store_error(std::string message);

/// The store's message carried by an error of the store actor (any std::string in the context);
/// otherwise CAF's rendering of the error.
std::string store_error_message(const caf::error& err);

}  // namespace zeal::persistence
