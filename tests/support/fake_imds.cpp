#include "support/fake_imds.h"

namespace ecs::test {

namespace http = server::http;

FakeImds::FakeImds(ServerThread& servers) {
  port_ = servers.start_http([this](server::Request& req,
                                    const server::Peer&) -> asio::awaitable<server::Response> {
    std::lock_guard lock(mutex_);
    const std::string target(req.target());
    if (req.method() == http::verb::put && target == "/latest/api/token") {
      ++seen_.token_puts;
      seen_.last_ttl_header = std::string(req["X-aws-ec2-metadata-token-ttl-seconds"]);
      if (b_.token_status != 200)
        co_return server::make_response(req, static_cast<http::status>(b_.token_status), "", "text/plain");
      co_return server::make_response(req, http::status::ok, "token-" + std::to_string(++issued_),
                                      "text/plain");
    }
    ++seen_.gets;
    seen_.paths.push_back(target);
    const std::string token(req["X-aws-ec2-metadata-token"]);
    if (!token.empty()) ++seen_.gets_with_token;
    if (b_.reject_next_token && !token.empty()) {
      b_.reject_next_token = false;
      co_return server::make_response(req, http::status::unauthorized, "", "text/plain");
    }
    if (b_.token_status == 200 && token != "token-" + std::to_string(issued_)) {
      co_return server::make_response(req, http::status::unauthorized, "", "text/plain");
    }
    if (target == "/latest/meta-data/placement/region") {
      co_return server::make_response(req, http::status::ok, b_.region, "text/plain");
    }
    const std::string base = "/latest/meta-data/iam/security-credentials/";
    if (target == base) co_return server::make_response(req, http::status::ok, b_.role + "\n", "text/plain");
    if (target == base + b_.role) {
      co_return server::make_response(req, http::status::ok,
                                      "{\"Code\":\"Success\",\"LastUpdated\":\"2024-01-01T00:00:00Z\","
                                      "\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"" +
                                          b_.access_key_id + "\",\"SecretAccessKey\":\"" +
                                          b_.secret_access_key + "\",\"Token\":\"" + b_.token +
                                          "\",\"Expiration\":\"" + b_.expiration + "\"}",
                                      "text/plain");
    }
    co_return server::make_response(req, http::status::not_found, "", "text/plain");
  });
}

void FakeImds::set(const Behaviour& b) {
  std::lock_guard lock(mutex_);
  b_ = b;
}

FakeImds::Behaviour FakeImds::behaviour() const {
  std::lock_guard lock(mutex_);
  return b_;
}

FakeImds::Seen FakeImds::seen() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

}  // namespace ecs::test
