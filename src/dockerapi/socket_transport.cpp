// The Docker transport over a unix stream socket or TCP (http_exchange.h does the HTTP).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "dockerapi/errors.h"
#include "dockerapi/http_exchange.h"
#include "dockerapi/transport.h"

namespace ecs::dockerapi {
namespace {

template <class Protocol>
class SocketTransport : public Transport {
 public:
  using Endpoint = typename Protocol::endpoint;
  using Socket = typename Protocol::socket;

  SocketTransport(Endpoint endpoint, std::string where, std::size_t body_limit)
      : endpoint_(std::move(endpoint)), where_(std::move(where)), body_limit_(body_limit) {}

  asio::awaitable<Result<HttpResponse>> round_trip(const HttpRequest& request,
                                                   std::chrono::nanoseconds timeout,
                                                   StopToken stop) override {
    Socket socket(co_await asio::this_coro::executor);
    StreamTimeouts timeouts{timeout, timeout, timeout};
    co_return co_await detail::exchange(socket, connector(), request, where_, body_limit_, timeouts, nullptr,
                                        std::move(stop));
  }

  asio::awaitable<Result<HttpResponse>> stream_lines(const HttpRequest& request, StreamTimeouts timeouts,
                                                     LineHandler on_line, StopToken stop) override {
    Socket socket(co_await asio::this_coro::executor);
    co_return co_await detail::exchange(socket, connector(), request, where_, body_limit_, timeouts, &on_line,
                                        std::move(stop));
  }

 private:
  auto connector() const {
    return [this](Socket& socket) -> asio::awaitable<error_code> {
      error_code ec;
      co_await socket.async_connect(endpoint_, asio::redirect_error(asio::use_awaitable, ec));
      co_return ec;
    };
  }

  Endpoint endpoint_;
  std::string where_;
  std::size_t body_limit_;
};

}  // namespace

Result<std::unique_ptr<Transport>> make_transport(const Endpoint& endpoint, std::size_t body_limit) {
  switch (endpoint.kind) {
    case Endpoint::Kind::unix_socket: {
      using P = asio::local::stream_protocol;
      return std::unique_ptr<Transport>(
          std::make_unique<SocketTransport<P>>(P::endpoint(endpoint.path), endpoint.text, body_limit));
    }
    case Endpoint::Kind::tcp: {
      using P = asio::ip::tcp;
      error_code ec;
      auto address = asio::ip::make_address(endpoint.host, ec);
      if (ec) {
        return make_error(DockerErrc::bad_endpoint,
                          "DOCKER_HOST=" + endpoint.text + " is not usable: the host must be an IP address");
      }
      return std::unique_ptr<Transport>(std::make_unique<SocketTransport<P>>(
          P::endpoint(address, endpoint.port), endpoint.text, body_limit));
    }
    case Endpoint::Kind::named_pipe:
      break;
  }
  return make_error(DockerErrc::bad_endpoint,
                    "DOCKER_HOST=" + endpoint.text + " is not usable: named pipes exist only on Windows");
}

}  // namespace ecs::dockerapi
