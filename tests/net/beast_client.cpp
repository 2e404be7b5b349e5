#include "tests/net/beast_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace zeal::net::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

/// Runs `ioc` until `done` or the timeout; on timeout, `cancel()` and drains.
template <class Cancel>
bool run_with_timeout(asio::io_context& ioc, const bool& done, std::chrono::milliseconds timeout,
                      Cancel cancel) {
  ioc.restart();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    if (ioc.run_one_until(deadline) == 0 && ioc.stopped()) break;
  }
  if (done) return true;
  cancel();
  ioc.restart();
  ioc.run_for(std::chrono::seconds{2});
  return false;
}

}  // namespace

struct http_client::impl {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool ok = false;
};

http_client::http_client(std::uint16_t port) : impl_(std::make_unique<impl>()) {
  beast::error_code ec;
  impl_->stream.socket().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  impl_->ok = !ec;
}

http_client::~http_client() {
  beast::error_code ec;
  impl_->stream.socket().close(ec);
}

bool http_client::connected() const {
  return impl_->ok;
}

http_reply http_client::request(const std::string& method, const std::string& target, const std::string& body,
                                bool keep_alive, std::chrono::milliseconds timeout) {
  http_request req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.keep_alive = keep_alive;
  req.timeout = timeout;
  return request(req);
}

http_reply http_client::request(const http_request& spec) {
  http_reply reply;
  if (!impl_->ok) {
    reply.error = "not connected";
    return reply;
  }
  http::request<http::string_body> req{http::string_to_verb(spec.method), spec.target, 11};
  if (req.method() == http::verb::unknown) req.method_string(spec.method);
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(spec.keep_alive);
  if (!spec.body.empty()) req.body() = spec.body;
  if (spec.chunked)
    req.chunked(true);
  else
    req.prepare_payload();
  if (spec.expect_continue) req.set(http::field::expect, "100-continue");
  http::request_serializer<http::string_body> serializer{req};
  // The final answer; a 1xx answer read into `interim` first when the body waits for 100 Continue.
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (req.method() == http::verb::head) parser.skip(true);
  http::response_parser<http::string_body> interim;
  interim.body_limit(64 * 1024 * 1024);
  bool done = false;
  bool use_interim = false;
  beast::error_code result;
  auto finish = [&](beast::error_code ec) {
    result = ec;
    done = true;
  };
  auto read_final = [&] {
    http::async_read(impl_->stream, impl_->buffer, parser,
                     [&](beast::error_code ec, std::size_t) { finish(ec); });
  };
  if (!spec.expect_continue) {
    http::async_write(impl_->stream, serializer, [&](beast::error_code ec, std::size_t) {
      if (ec) return finish(ec);
      read_final();
    });
  } else {
    http::async_write_header(impl_->stream, serializer, [&](beast::error_code ec, std::size_t) {
      if (ec) return finish(ec);
      http::async_read(impl_->stream, impl_->buffer, interim, [&](beast::error_code ec2, std::size_t) {
        if (ec2) return finish(ec2);
        if (interim.get().result() != http::status::continue_) {
          use_interim = true;  // answered without asking for the body
          return finish({});
        }
        reply.got_continue = true;
        http::async_write(impl_->stream, serializer, [&](beast::error_code ec3, std::size_t) {
          if (ec3) return finish(ec3);
          read_final();
        });
      });
    });
  }
  if (!run_with_timeout(impl_->ioc, done, spec.timeout, [&] { impl_->stream.cancel(); })) {
    reply.error = "timeout";
    impl_->ok = false;
    return reply;
  }
  if (result) {
    reply.error = result.message();
    impl_->ok = false;
    return reply;
  }
  auto& res = use_interim ? interim.get() : parser.get();
  reply.status = static_cast<int>(res.result_int());
  reply.content_type = std::string(res[http::field::content_type]);
  reply.allow = std::string(res[http::field::allow]);
  reply.body = res.body();
  reply.keep_alive = res.keep_alive();
  return reply;
}

http_reply http_get(std::uint16_t port, const std::string& target, const std::string& method) {
  http_client c{port};
  return c.request(method, target, {}, false);
}

struct ws_client::impl {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  bool open = false;
};

ws_client::ws_client() : impl_(std::make_unique<impl>()) {}

ws_client::~ws_client() {
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

bool ws_client::connect(std::uint16_t port, const std::string& target, std::string& error) {
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    error = "connect: " + ec.message();
    return false;
  }
  bool done = false;
  beast::error_code result;
  impl_->ws.async_handshake("127.0.0.1:" + std::to_string(port), target, [&](beast::error_code e) {
    result = e;
    done = true;
  });
  if (!run_with_timeout(impl_->ioc, done, std::chrono::seconds{10},
                        [&] { beast::get_lowest_layer(impl_->ws).cancel(); })) {
    error = "handshake timeout";
    return false;
  }
  if (result) {
    error = "handshake: " + result.message();
    return false;
  }
  impl_->ws.auto_fragment(false);
  impl_->ws.read_message_max(0);
  impl_->open = true;
  return true;
}

bool ws_client::send_binary(const std::vector<std::uint8_t>& frame) {
  beast::error_code ec;
  impl_->ws.binary(true);
  impl_->ws.write(asio::buffer(frame), ec);
  return !ec;
}

bool ws_client::send_text(const std::string& text) {
  beast::error_code ec;
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(text), ec);
  return !ec;
}

bool ws_client::send_fragmented(const std::vector<std::uint8_t>& message, std::size_t frame_size) {
  beast::error_code ec;
  impl_->ws.binary(true);
  for (std::size_t off = 0; off < message.size() && !ec; off += frame_size) {
    auto n = std::min(frame_size, message.size() - off);
    impl_->ws.write_some(off + n == message.size(), asio::buffer(message.data() + off, n), ec);
  }
  return !ec;
}

ws_event ws_client::read(std::chrono::milliseconds timeout) {
  ws_event ev;
  bool done = false;
  beast::error_code result;
  impl_->buffer.clear();
  impl_->ws.async_read(impl_->buffer, [&](beast::error_code e, std::size_t) {
    result = e;
    done = true;
  });
  if (!run_with_timeout(impl_->ioc, done, timeout, [&] { beast::get_lowest_layer(impl_->ws).cancel(); })) {
    ev.kind = ws_event::error;
    ev.message = "timeout";
    return ev;
  }
  if (result == websocket::error::closed) {
    ev.kind = ws_event::closed;
    auto& cr = impl_->ws.reason();
    ev.close_code = static_cast<std::uint16_t>(cr.code);
    ev.close_reason.assign(cr.reason.data(), cr.reason.size());
    return ev;
  }
  if (result) {
    ev.kind = ws_event::error;
    ev.message = result.message();
    return ev;
  }
  auto data = impl_->buffer.cdata();
  auto* p = static_cast<const std::uint8_t*>(data.data());
  ev.data.assign(p, p + data.size());
  ev.kind = impl_->ws.got_text() ? ws_event::text : ws_event::binary;
  return ev;
}

ws_event ws_client::read_until_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ws_event ev;
      ev.message = "timeout";
      return ev;
    }
    auto ev = read(left);
    if (ev.kind == ws_event::closed || ev.kind == ws_event::error) return ev;
  }
}

void ws_client::close() {
  bool done = false;
  impl_->ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  run_with_timeout(impl_->ioc, done, std::chrono::seconds{5},
                   [&] { beast::get_lowest_layer(impl_->ws).cancel(); });
}

}  // namespace zeal::net::test
