// The HTTP server's limits: a hostile or stalled client costs one bounded connection and gets
// a clear answer where one is possible.
#include "server/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "support/server_thread.h"

namespace ecs::server {
namespace {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

struct Reply {
  std::string bytes;
  bool closed_by_server = false;  // false: the test's own guard timer fired first
};

// Sends raw bytes and returns everything the server sends back before closing (or the guard).
Reply round_trip(std::uint16_t port, const std::string& bytes, std::chrono::seconds guard = 30s) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(bytes));
  Reply out;
  asio::steady_timer timer(io, guard);
  timer.async_wait([&](boost::system::error_code ec) {
    if (!ec) socket.close();
  });
  std::array<char, 4096> buf{};
  std::function<void()> read_more = [&] {
    socket.async_read_some(asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
      out.bytes.append(buf.data(), n);
      if (ec) {
        out.closed_by_server = ec != asio::error::operation_aborted;
        timer.cancel();
        return;
      }
      read_more();
    });
  };
  read_more();
  io.run();
  return out;
}

Handler echo_size() {
  return [](Request& request, const Peer&) -> asio::awaitable<Response> {
    co_return make_response(request, http::status::ok, std::to_string(request.body().size()), "text/plain");
  };
}

TEST(HttpServerLimits, AnOrdinaryRequestIsServed) {
  test::ServerThread server;
  const auto port = server.start_http(echo_size());
  const Reply reply =
      round_trip(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
  EXPECT_NE(reply.bytes.find("HTTP/1.1 200"), std::string::npos) << reply.bytes;
  EXPECT_NE(reply.bytes.find("\r\n\r\n3"), std::string::npos) << reply.bytes;
}

TEST(HttpServerLimits, AnnouncedBodyOverTheLimitIsRefusedWithoutReadingIt) {
  test::ServerThread server;
  HttpServerOptions o;
  o.max_body_bytes = 1000;
  const auto port = server.start_http(echo_size(), o);
  // Announces 10 MB and sends only the headers: the answer comes at once.
  const Reply reply = round_trip(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
  EXPECT_NE(reply.bytes.find("HTTP/1.1 413"), std::string::npos) << reply.bytes;
}

TEST(HttpServerLimits, ChunkedBodyOverTheLimitIsRefused) {
  test::ServerThread server;
  HttpServerOptions o;
  o.max_body_bytes = 10;
  const auto port = server.start_http(echo_size(), o);
  const Reply reply =
      round_trip(port, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n" +
                           std::string(20, 'a') + "\r\n0\r\n\r\n");
  EXPECT_NE(reply.bytes.find("HTTP/1.1 413"), std::string::npos) << reply.bytes;
}

TEST(HttpServerLimits, HeadersOverTheLimitAreRefused) {
  test::ServerThread server;
  HttpServerOptions o;
  o.max_header_bytes = 512;
  const auto port = server.start_http(echo_size(), o);
  const Reply reply =
      round_trip(port, "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(2000, 'p') + "\r\n\r\n");
  EXPECT_NE(reply.bytes.find("HTTP/1.1 413"), std::string::npos) << reply.bytes;
}

TEST(HttpServerLimits, AStalledClientIsDisconnected) {
  test::ServerThread server;
  HttpServerOptions o;
  o.read_timeout = 200ms;
  const auto port = server.start_http(echo_size(), o);
  const Reply reply = round_trip(port, "GET / HTTP/1.1\r\nHost: x\r\n");  // never finishes the headers
  EXPECT_EQ(reply.bytes, "");
  EXPECT_TRUE(reply.closed_by_server);  // the server's read timeout closed it, not the test's guard
}

TEST(HttpServerLimits, GarbageIsDropped) {
  test::ServerThread server;
  const auto port = server.start_http(echo_size());
  const Reply reply =
      round_trip(port, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n");
  EXPECT_EQ(reply.bytes.find("HTTP/1.1 200"), std::string::npos);
}

}  // namespace
}  // namespace ecs::server
