#pragma once

// A small Beast client for net/'s end-to-end tests (the test TU itself stays free of Beast). Every
// operation runs on a private io_context with a timeout, so a misbehaving server fails a test instead of
// hanging it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace zeal::net::test {

struct http_reply {
  int status = 0;  // 0: transport error (see error)
  std::string content_type;
  std::string allow;  // the Allow header
  std::string body;
  bool keep_alive = false;
  bool got_continue = false;  // a 100 Continue came before the answer
  std::string error;
};

struct http_request {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  bool keep_alive = true;
  bool chunked = false;  // the body as one chunk (Transfer-Encoding: chunked) instead of Content-Length
  /// `Expect: 100-continue`: the header goes first; the body only after the server's 100 Continue (if the
  /// final answer comes instead, the body is never sent).
  bool expect_continue = false;
  std::chrono::milliseconds timeout = std::chrono::seconds{10};
};

/// One TCP connection to 127.0.0.1:port carrying HTTP/1.1 requests (keep-alive).
class http_client {
 public:
  explicit http_client(std::uint16_t port);
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  bool connected() const;
  http_reply request(const std::string& method, const std::string& target, const std::string& body = {},
                     bool keep_alive = true, std::chrono::milliseconds timeout = std::chrono::seconds{10});
  http_reply request(const http_request& req);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// GET (or another method) on a fresh connection.
http_reply http_get(std::uint16_t port, const std::string& target, const std::string& method = "GET");

struct ws_event {
  enum kind_t { binary, text, closed, error } kind = error;
  std::vector<std::uint8_t> data;  // binary / text payload
  std::uint16_t close_code = 0;    // closed: the server's close frame
  std::string close_reason;
  std::string message;  // error: what went wrong (timeout, eof, ...)
};

class ws_client {
 public:
  ws_client();
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  /// Connects to ws://127.0.0.1:port<target>. False and `error` on failure.
  bool connect(std::uint16_t port, const std::string& target, std::string& error);
  bool send_binary(const std::vector<std::uint8_t>& frame);
  bool send_text(const std::string& text);
  /// One binary message sent as frames of `frame_size` bytes.
  bool send_fragmented(const std::vector<std::uint8_t>& message, std::size_t frame_size);
  /// The next message or the close (pings are answered while reading).
  ws_event read(std::chrono::milliseconds timeout = std::chrono::seconds{10});
  /// Reads until a close or an error, skipping messages.
  ws_event read_until_closed(std::chrono::milliseconds timeout = std::chrono::seconds{10});
  /// Sends a close frame (code 1000) and waits for the server's.
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace zeal::net::test
