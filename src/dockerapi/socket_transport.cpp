// Beast HTTP over a unix stream socket or TCP: every Beast instantiation of the Docker client
// lives in this one translation unit.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "dockerapi/errors.h"
#include "dockerapi/transport.h"

namespace ecs::dockerapi {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

// Leaves the stop token's registration when the exchange ends, however it ends.
class StopRegistration {
 public:
  StopRegistration(const StopToken& token, std::function<void()> fn)
      : token_(token), id_(token.on_stop(std::move(fn))) {}
  ~StopRegistration() { token_.forget(id_); }
  StopRegistration(const StopRegistration&) = delete;
  StopRegistration& operator=(const StopRegistration&) = delete;

 private:
  StopToken token_;
  std::size_t id_;
};

template <class Protocol>
class SocketTransport : public Transport {
 public:
  using Endpoint = typename Protocol::endpoint;
  using Stream = beast::basic_stream<Protocol, asio::any_io_executor, beast::unlimited_rate_policy>;

  SocketTransport(Endpoint endpoint, std::string where, std::size_t body_limit)
      : endpoint_(std::move(endpoint)), where_(std::move(where)), body_limit_(body_limit) {}

  asio::awaitable<Result<HttpResponse>> round_trip(const HttpRequest& request,
                                                   std::chrono::nanoseconds timeout,
                                                   StopToken stop) override {
    if (stop.stopped()) co_return make_error(DockerErrc::canceled, "context canceled");
    auto executor = co_await asio::this_coro::executor;
    Stream stream(executor);
    bool stopped = false;
    StopRegistration registration(stop, [&stream, &stopped] {
      stopped = true;
      stream.cancel();
    });
    stream.expires_after(timeout);  // one deadline for the whole exchange

    error_code ec;
    co_await stream.async_connect(endpoint_, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return failure(ec, stopped, "cannot connect to the Docker daemon at " + where_);

    http::request<http::string_body> req;
    req.method(http::string_to_verb(request.method));
    req.target(request.target);
    req.version(11);
    req.set(http::field::host, "api.moby.localhost");  // the Go client's name for socket transports
    req.set(http::field::user_agent, "ecs-agent");
    if (!request.body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = request.body;
    }
    req.prepare_payload();
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return failure(ec, stopped, "connection to the Docker daemon at " + where_ + " was lost");

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit_);
    parser.header_limit(64 * 1024);
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return failure(ec, stopped, "connection to the Docker daemon at " + where_ + " was lost");
    // Boost 1.74's parser does not apply body_limit to a Content-Length body (only to chunked
    // and read-to-EOF ones): check the announced length here.
    if (parser.content_length() && *parser.content_length() > body_limit_) {
      co_return failure(http::error::body_limit, stopped, "");
    }
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return failure(ec, stopped, "connection to the Docker daemon at " + where_ + " was lost");

    error_code ignored;
    stream.socket().shutdown(Protocol::socket::shutdown_both, ignored);
    auto& res = parser.get();
    HttpResponse out;
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    out.body = std::move(res.body());
    co_return out;
  }

 private:
  Error failure(const error_code& ec, bool stopped, const std::string& what) const {
    if (stopped) return make_error(DockerErrc::canceled, "context canceled");
    if (ec == beast::error::timeout) return make_error(DockerErrc::timeout, "timed out talking to " + where_);
    if (ec == http::error::body_limit) {
      return make_error(DockerErrc::malformed_response, "the Docker daemon at " + where_ +
                                                            " sent a body larger than " +
                                                            std::to_string(body_limit_) + " bytes");
    }
    const error_code eos = http::error::end_of_stream;
    if (ec.category() == eos.category() && ec != eos && ec != http::error::partial_message) {
      return make_error(DockerErrc::malformed_response,
                        "the Docker daemon at " + where_ + " did not answer with HTTP: " + ec.message());
    }
    return make_error(DockerErrc::transport, what + ": " + ec.message());
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
