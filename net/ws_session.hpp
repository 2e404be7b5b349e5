#pragma once

// WebSocket sessions: Beast does the upgrade (ws_session.cpp is the only TU that instantiates its websocket
// stream); after it the session frames itself (net/ws_frame.hpp).

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/server_state.hpp"

namespace zeal::net {

/// Takes over a socket whose HTTP request is a WebSocket upgrade: accepts the handshake on the socket's
/// strand, spawns the connection's client actor through the bridge and runs the session until it closes.
void start_ws_session(std::shared_ptr<server_state> state, boost::asio::ip::tcp::socket socket,
                      boost::beast::http::request<boost::beast::http::string_body> request);

}  // namespace zeal::net
