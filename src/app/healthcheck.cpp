#include "app/healthcheck.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "core/asio.h"

namespace ecs::app {
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Result<HealthcheckTarget> healthcheck_target_from_environment(const EnvLookup& env) {
  HealthcheckTarget target;
  if (auto addr = env_value(env, "ECS_INTROSPECTION_ADDR")) {
    auto parsed = parse_host_port(*addr, "ECS_INTROSPECTION_ADDR");
    if (!parsed) return parsed.error();
    target.address = *parsed;
  }
  if (auto host = env_value(env, "ECS_AGENT_HEALTHCHECK_HOST")) target.address.host = *host;
  return target;
}

namespace {

asio::awaitable<void> head_metadata(const HealthcheckTarget& target, boost::system::error_code& result) {
  auto executor = co_await asio::this_coro::executor;
  boost::system::error_code ec;
  tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  stream.expires_after(target.timeout);  // one budget for resolve+connect+request+response
  auto endpoints = co_await resolver.async_resolve(target.address.host, std::to_string(target.address.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    result = ec;
    co_return;
  }
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    result = ec;
    co_return;
  }
  http::request<http::empty_body> req{http::verb::head, "/v1/metadata", 11};
  req.set(http::field::host, target.address.to_string());
  req.set(http::field::user_agent, "ecs-agent-healthcheck");
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    result = ec;
    co_return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a response to HEAD has no body whatever its headers say
  co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  result = ec;
}

}  // namespace

Result<void> probe_introspection(const HealthcheckTarget& target) {
  asio::io_context io;
  boost::system::error_code ec = asio::error::would_block;
  asio::co_spawn(io, head_metadata(target, ec), asio::detached);
  io.run();
  if (ec) {
    const std::string why = ec == beast::error::timeout
                                ? "no answer within " + std::to_string(target.timeout.count()) + " ms"
                                : ec.message();
    return make_error(ec, "healthcheck: http://" + target.address.to_string() + "/v1/metadata: " + why);
  }
  return {};
}

}  // namespace ecs::app
