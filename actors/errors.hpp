#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>

namespace zeal::actors {

/// The errors actors reply with (directory get / json / update requests): `caf::sec::runtime_error` whose
/// context is (uint16 close_code, std::string reason). Both are serializable, so the error crosses nodes.
/// close_code is the WebSocket close code a client should use (1013 server full, 1008 invalid room name,
/// 1001 shutting down); 0 when there is no connection to close (e.g. "room not found").
caf::error make_actor_error(std::uint16_t close_code, std::string reason);

/// True if `err` was made by make_actor_error (a close code and a reason), e.g. on another node; false for
/// CAF's own errors (dead or unreachable actor, timeout) and other actors' errors.
bool is_actor_error(const caf::error& err);

/// The reason of an error made by make_actor_error (or any string in the context); otherwise CAF's
/// rendering of the error.
std::string error_reason(const caf::error& err);

/// The close code of an error made by make_actor_error; 1011 (internal error) for any other error.
std::uint16_t error_close_code(const caf::error& err);

}  // namespace zeal::actors
