// The local control plane's ECS API (tests and ecs-local-control-plane), over TLS on a
// ServerThread: verifies every request's SigV4
// signature, records operations and bodies, and answers from per-operation scripts (defaults:
// a DiscoverPollEndpoint endpoint, a registered ARN, an empty state-change acknowledgment).
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "localcp/certificate_authority.h"
#include "localcp/server_thread.h"

namespace ecs::localcp {

class EcsApiServer {
 public:
  struct Reply {
    unsigned status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/x-amz-json-1.1"}};
    std::chrono::milliseconds delay{0};
  };
  struct Call {
    std::string operation;  // DiscoverPollEndpoint, ...
    std::string body;
    bool signature_ok = false;
    std::string signature_error;
    std::string authorization;
    std::chrono::system_clock::time_point received_at{};  // when its head and body were read
  };

  static constexpr const char* kAccessKeyId = "AKIDFAKEECS";
  static constexpr const char* kSecret = "fake-ecs-secret-never-logged";

  // Port 0 picks a free one.
  EcsApiServer(ServerThread& servers, const IssuedCertificate& certificate, std::uint16_t port = 0);
  std::string endpoint() const { return "https://localhost:" + std::to_string(port_); }
  static aws::Credentials credentials() {
    return {kAccessKeyId, kSecret, "fake-ecs-session-token", std::nullopt, "test"};
  }

  // The key pair whose signatures are accepted (default: credentials()).
  void accept_credentials(const aws::Credentials& credentials);
  void script(const std::string& operation, Reply reply);  // queued; used once each
  void set_default(const std::string& operation, Reply reply);
  std::vector<Call> calls() const;
  int count(const std::string& operation) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<Reply>> scripted_;
  std::map<std::string, Reply> defaults_;
  std::vector<Call> calls_;
  aws::Credentials accepted_ = credentials();
  std::uint16_t port_ = 0;
};

}  // namespace ecs::localcp
