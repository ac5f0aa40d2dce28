#include "localcp/ecs_api_server.h"

#include "aws/sigv4_verify.h"
#include "tls/context.h"

namespace ecs::localcp {

namespace http = server::http;

EcsApiServer::EcsApiServer(ServerThread& servers, const IssuedCertificate& certificate, std::uint16_t port) {
  defaults_["DiscoverPollEndpoint"] = {
      200, R"({"endpoint":"https://acs.fake.test/","telemetryEndpoint":"https://tcs.fake.test/"})"};
  defaults_["RegisterContainerInstance"] = {
      200,
      R"({"containerInstance":{"containerInstanceArn":"arn:aws:ecs:us-west-2:123456789012:container-instance/default/fake"}})"};
  defaults_["SubmitTaskStateChange"] = {200, R"({"acknowledgment":"ok"})"};
  server::HttpServerOptions options;
  options.tls = *tls::Context::server(certificate.chain_pem, certificate.key_pem);
  port_ = servers.start_http(
      [this, &servers](server::Request& req, const server::Peer&) -> asio::awaitable<server::Response> {
        Call call;
        call.received_at = std::chrono::system_clock::now();
        const std::string target(req["X-Amz-Target"]);
        call.operation = target.substr(target.find('.') + 1);
        call.body = req.body();
        call.authorization = std::string(req["Authorization"]);
        aws::ReceivedRequest received{
            std::string(req.method_string()), std::string(req.target()), {}, req.body()};
        for (const auto& f : req)
          received.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        auto verified = aws::verify_signature(
            received,
            [this](const std::string& akid) -> std::optional<std::string> {
              std::lock_guard lock(mutex_);
              if (akid == accepted_.access_key_id) return accepted_.secret_access_key;
              return std::nullopt;
            },
            std::chrono::system_clock::now(), std::chrono::hours(24 * 365 * 10));
        call.signature_ok = static_cast<bool>(verified);
        if (!verified) call.signature_error = verified.error().message;
        Reply reply;
        {
          std::lock_guard lock(mutex_);
          calls_.push_back(call);
          auto& queue = scripted_[call.operation];
          if (!queue.empty()) {
            reply = queue.front();
            queue.pop_front();
          } else {
            reply = defaults_[call.operation];
          }
        }
        if (!verified) {
          reply = {403, R"({"__type":"AccessDeniedException","message":"signature rejected"})"};
        }
        if (reply.delay.count() > 0) {
          asio::steady_timer t(servers.io(), reply.delay);
          co_await t.async_wait(asio::use_awaitable);
        }
        server::Response res{static_cast<http::status>(reply.status), req.version()};
        for (const auto& [k, v] : reply.headers) res.set(k, v);
        res.body() = reply.body;
        res.prepare_payload();
        co_return res;
      },
      options, port);
}

void EcsApiServer::script(const std::string& operation, Reply reply) {
  std::lock_guard lock(mutex_);
  scripted_[operation].push_back(std::move(reply));
}

void EcsApiServer::set_default(const std::string& operation, Reply reply) {
  std::lock_guard lock(mutex_);
  defaults_[operation] = std::move(reply);
}

std::vector<EcsApiServer::Call> EcsApiServer::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

void EcsApiServer::accept_credentials(const aws::Credentials& credentials) {
  std::lock_guard lock(mutex_);
  accepted_ = credentials;
}

int EcsApiServer::count(const std::string& operation) const {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (const auto& c : calls_) n += c.operation == operation;
  return n;
}

}  // namespace ecs::localcp
