#pragma once

// Plain HTTP connections (Beast): requests routed by net/http_router.hpp; a WebSocket upgrade hands the
// socket to net/ws_session.hpp.

#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "net/server_state.hpp"

namespace zeal::net {

/// Runs one accepted connection (on its socket's strand) until it closes or upgrades.
void start_http_session(std::shared_ptr<server_state> state, boost::asio::ip::tcp::socket socket);

}  // namespace zeal::net
