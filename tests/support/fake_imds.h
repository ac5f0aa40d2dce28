// A fake EC2 instance metadata service (plain HTTP on a ServerThread) with IMDSv2 tokens,
// switchable behaviours, and a record of what it was asked.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "support/server_thread.h"

namespace ecs::test {

class FakeImds {
 public:
  struct Behaviour {
    unsigned token_status = 200;     // answer to PUT /latest/api/token
    bool reject_next_token = false;  // answer the next GET 401 (an expired token)
    std::string role = "ecs-instance-role";
    std::string access_key_id = "ASIAIMDSEXAMPLE";
    std::string secret_access_key = "imds-secret-value-never-logged";
    std::string token = "imds-session-token-never-logged";
    std::string expiration = "2099-01-01T00:00:00Z";
    std::string region = "us-west-2";  // placement/region
  };
  struct Seen {
    int token_puts = 0;
    int gets = 0;
    int gets_with_token = 0;
    std::string last_ttl_header;
    std::vector<std::string> paths;
  };

  explicit FakeImds(ServerThread& servers);
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void set(const Behaviour& b);
  Behaviour behaviour() const;
  Seen seen() const;

 private:
  mutable std::mutex mutex_;
  Behaviour b_;
  Seen seen_;
  int issued_ = 0;
  std::uint16_t port_ = 0;
};

}  // namespace ecs::test
