// A Docker daemon impostor on a unix socket (its own thread): each request goes to a handler
// that answers with a status and a body — as content-length or chunked — or with raw bytes, or
// not at all (a stall), or by closing. Every request is recorded. For the Docker client's tests
// of the protocol and of hostile answers.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>

#include "core/asio.h"
#include "support/temp_dir.h"

namespace ecs::test {

class FakeDockerDaemon {
 public:
  struct Request {
    std::string method;
    std::string target;
    std::string body;
    std::string content_type;
    std::string host;
    std::string registry_auth;  // X-Registry-Auth
  };
  struct Reply {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    bool chunked = false;
    std::string raw;     // when set: written as is instead of an HTTP response
    bool stall = false;  // never answer (the connection stays open)
    bool close = false;  // close without answering
    // After answering, keep the connection open and quiet (a stream that has nothing more to
    // say yet, e.g. /events, or a pull that stopped making progress).
    bool keep_open = false;
  };
  using Handler = std::function<Reply(const Request&)>;

  explicit FakeDockerDaemon(Handler handler);
  ~FakeDockerDaemon();
  FakeDockerDaemon(const FakeDockerDaemon&) = delete;
  FakeDockerDaemon& operator=(const FakeDockerDaemon&) = delete;

  std::string docker_host() const { return "unix://" + socket_path_; }
  std::vector<Request> requests() const;

  // The usual answer to GET /version (API 1.41, minimum 1.12: the agent picks 1.21).
  static Reply version_reply(const std::string& api = "1.41", const std::string& min_api = "1.12");

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(std::shared_ptr<asio::local::stream_protocol::socket> socket);

  TempDir dir_;
  std::string socket_path_;
  Handler handler_;
  asio::io_context io_;
  asio::local::stream_protocol::acceptor acceptor_;
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
  std::vector<std::shared_ptr<asio::local::stream_protocol::socket>> stalled_;
  std::thread thread_;
};

}  // namespace ecs::test
