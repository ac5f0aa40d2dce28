// The local control plane's ACS (acs-protocol.md §8), used by the end-to-end tests and by
// ecs-local-control-plane: on a ServerThread, TLS with a locally generated CA, SigV4 verified on
// every upgrade, scripted frames, closes with any code, TCP drops, upgrade rejections with an
// exception body, stalled upgrades; records every connection's query, signature check, the
// frames the agent sent and the close it sent.
#pragma once

#include <atomic>
#include <chrono>
#include <climits>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "localcp/certificate_authority.h"
#include "localcp/server_thread.h"

namespace ecs::localcp {

class AcsServer {
 public:
  struct Connection {
    int id = 0;
    std::map<std::string, std::string> query;  // decoded
    std::string host;
    bool signature_ok = false;
    std::string signature_error;
    std::vector<std::string> received;  // frames from the agent, in order
    int close_code_received = 0;        // the agent's close frame, if any
    std::string close_reason_received;
    bool open = true;
    std::chrono::steady_clock::time_point opened_at;
    std::chrono::steady_clock::time_point closed_at;
  };

  // Port 0 picks a free one.
  AcsServer(ServerThread& servers, const IssuedCertificate& certificate, aws::Credentials accepted,
            std::uint16_t port = 0);
  ~AcsServer();

  std::string endpoint() const { return "https://localhost:" + std::to_string(port_); }

  // Sent to every connection as soon as it is accepted (e.g. a heartbeat).
  void on_connect_send(std::vector<std::string> frames);
  // Acts on the newest open connection.
  void send(const std::string& frame);
  void close(int code, const std::string& reason = "");
  void close_without_payload();  // a close frame with no code (1005 at the agent)
  void drop();                   // TCP closed, no close frame
  void ping();
  // The next `count` upgrades are answered `status` with `body`.
  void reject_upgrades(unsigned status, std::string body, int count = INT_MAX);
  // Upgrades are accepted at TCP/TLS level but never answered while set.
  void stall_upgrades(bool stall);

  std::vector<Connection> connections() const;
  int connection_count() const;
  std::vector<std::string> received_all() const;  // every frame of every connection
  // Polls predicate until true or timeout; true if it became true.
  bool wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const;

  struct State;  // implementation detail (acs_server.cpp)

 private:
  ServerThread& servers_;
  std::shared_ptr<State> state_;
  std::uint16_t port_ = 0;
};

// `"type":"<type>"` in a frame (a cheap check for tests).
inline bool frame_is(const std::string& frame, const std::string& type) {
  return frame.find("\"type\":\"" + type + "\"") != std::string::npos;
}

}  // namespace ecs::localcp
