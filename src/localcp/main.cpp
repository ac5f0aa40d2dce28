// ecs-local-control-plane: the ECS API and ACS on loopback, with a CA it generates and SigV4
// verified, so the agent can be tried on any machine without AWS. It writes <dir>/agent.env, a
// config file for the agent (ECS_CONFIG_FILE=<dir>/agent.env ecs-agent), then plays a script to
// the agent once it connects and prints every exchange. The secrets it hands out are random per
// run and printed masked.
//
// Script lines (a file given with --script, else the built-in one):
//   wait-connection       wait until the agent has connected to ACS
//   heartbeat             send a HeartbeatMessage
//   payload <N>           send a PayloadMessage of N tasks, each with role credentials
//   wait-ack              wait until the agent has acknowledged the last payload
//   check-credentials     GET the first task's credentials from the agent's credentials endpoint
//   refresh <i>           send new credentials for task i (IAMRoleCredentialsMessage)
//   manifest              send a TaskManifestMessage listing the tasks as RUNNING
//   sleep <ms>            wait
//   heartbeat-every <s>   send a heartbeat every s seconds until stopped
#include <signal.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "core/address.h"
#include "core/digest.h"
#include "localcp/acs_server.h"
#include "localcp/ecs_api_server.h"

namespace {

using namespace std::chrono_literals;
using ecs::localcp::frame_is;
namespace http = boost::beast::http;

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop = true; }

constexpr const char* kDefaultScript =
    "wait-connection\n"
    "heartbeat\n"
    "payload 2\n"
    "wait-ack\n"
    "check-credentials\n"
    "refresh 1\n"
    "manifest\n"
    "heartbeat-every 20\n";

constexpr const char* kCluster = "local";
constexpr const char* kRegion = "us-west-2";

struct Options {
  std::string dir = "local-control-plane";
  std::uint16_t ecs_port = 0;
  std::uint16_t acs_port = 0;
  std::string script;
  std::string agent_credentials_addr = "127.0.0.1:51679";
};

void say(const std::string& line) { std::cout << "ecs-local-control-plane: " << line << std::endl; }

std::string random_hex(std::size_t bytes) {
  std::random_device rd;
  std::string seed;
  for (int i = 0; i < 4; ++i) seed += std::to_string(rd());
  return ecs::sha256_hex(seed).substr(0, bytes * 2);
}

// Sleeps in small steps so that Ctrl-C is prompt; false when stopped.
bool pause_for(std::chrono::milliseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
    if (g_stop) return false;
    std::this_thread::sleep_for(20ms);
  }
  return !g_stop;
}

bool wait_until(const std::function<bool()>& done) {
  while (!done()) {
    if (!pause_for(50ms)) return false;
  }
  return true;
}

std::string mask(std::string text, const std::string& key) {
  const std::string needle = "\"" + key + "\":\"";
  auto at = text.find(needle);
  if (at == std::string::npos) return text;
  at += needle.size();
  const auto end = text.find('"', at);
  if (end == std::string::npos) return text;
  return text.replace(at, end - at, "****");
}

std::pair<unsigned, std::string> http_get(const ecs::HostPort& addr, const std::string& target) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address(addr.host, ec), addr.port}, ec);
  if (ec) return {0, ec.message()};
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, addr.to_string());
  http::write(socket, req, ec);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res, ec);
  if (ec) return {0, ec.message()};
  return {res.result_int(), res.body()};
}

class Player {
 public:
  Player(ecs::localcp::AcsServer& acs, ecs::localcp::EcsApiServer& ecs_api, const Options& options)
      : acs_(acs), ecs_api_(ecs_api), options_(options) {}

  // Prints what the agent sent since the last call.
  void report() {
    const auto calls = ecs_api_.calls();
    for (; seen_calls_ < calls.size(); ++seen_calls_) {
      const auto& c = calls[seen_calls_];
      say("ECS API ← " + c.operation +
          (c.signature_ok ? " (signature verified)" : " (BAD SIGNATURE: " + c.signature_error + ")"));
    }
    const auto frames = acs_.received_all();
    for (; seen_frames_ < frames.size(); ++seen_frames_) {
      std::string f = frames[seen_frames_];
      if (f.size() > 240) f = f.substr(0, 240) + "…";
      say("ACS ← " + f);
    }
    const int connections = acs_.connection_count();
    if (connections > seen_connections_) {
      seen_connections_ = connections;
      const auto conn = acs_.connections().back();
      say("ACS: agent connected (" + std::string(conn.signature_ok ? "SigV4 verified" : "BAD SIGNATURE") +
          ")");
    }
  }

  bool run(std::istream& script) {
    std::string line;
    while (std::getline(script, line)) {
      std::istringstream words(line);
      std::string command;
      words >> command;
      if (command.empty() || command[0] == '#') continue;
      long arg = 0;
      words >> arg;
      report();
      if (!step(command, arg)) return false;
      report();
    }
    return true;
  }

 private:
  std::string task_arn(int i) const {
    return "arn:aws:ecs:" + std::string(kRegion) + ":000000000000:task/" + kCluster + "/local-task-" +
           std::to_string(i);
  }
  std::string credentials_json(const std::string& id) {
    return R"({"credentialsId":")" + id +
           R"(","roleArn":"arn:aws:iam::000000000000:role/local-task-role","accessKeyId":"ASIA)" +
           random_hex(8) + R"(","secretAccessKey":")" + random_hex(20) + R"(","sessionToken":")" +
           random_hex(32) + R"(","expiration":"2099-01-01T00:00:00Z"})";
  }
  void send(const std::string& frame, const std::string& what) {
    acs_.send(frame);
    say("ACS → " + what);
  }

  bool step(const std::string& command, long arg) {
    if (command == "wait-connection") {
      say("waiting for the agent to connect…");
      return wait_until([&] {
        report();
        return acs_.connection_count() > 0;
      });
    }
    if (command == "heartbeat") {
      send(R"({"type":"HeartbeatMessage","message":{"healthy":true,"messageId":"hb-)" +
               std::to_string(++messages_) + "\"}}",
           "HeartbeatMessage");
      return true;
    }
    if (command == "payload") {
      tasks_ = static_cast<int>(std::max(1L, arg));
      ++seq_;
      std::string tasks;
      for (int i = 1; i <= tasks_; ++i) {
        const std::string id = "local-credentials-" + std::to_string(seq_) + "-" + std::to_string(i);
        if (i == 1) first_credentials_id_ = id;
        tasks +=
            std::string(i > 1 ? "," : "") + R"({"arn":")" + task_arn(i) +
            R"(","family":"local","version":"1","desiredStatus":"RUNNING","containers":[{"name":"app"}],"roleCredentials":)" +
            credentials_json(id) + "}";
      }
      payload_id_ = "payload-" + std::to_string(seq_);
      send(R"({"type":"PayloadMessage","message":{"messageId":")" + payload_id_ + R"(","clusterArn":")" +
               kCluster + R"(","containerInstanceArn":"local","seqNum":)" + std::to_string(seq_) +
               R"(,"tasks":[)" + tasks + "]}}",
           "PayloadMessage with " + std::to_string(tasks_) +
               " task(s) and their credentials (secrets masked here)");
      return true;
    }
    if (command == "wait-ack") {
      const bool acked = wait_until([&] {
        report();
        for (const auto& f : acs_.received_all()) {
          if (frame_is(f, "AckRequest") && f.find(payload_id_) != std::string::npos) return true;
        }
        return false;
      });
      if (acked) say("the agent acknowledged " + payload_id_);
      return acked;
    }
    if (command == "check-credentials") {
      auto addr = ecs::parse_host_port(options_.agent_credentials_addr, "--agent-credentials-addr");
      if (!addr) {
        say(addr.error().message);
        return false;
      }
      const auto [status, body] = http_get(*addr, "/v2/credentials/" + first_credentials_id_);
      say("GET http://" + addr->to_string() + "/v2/credentials/" + first_credentials_id_ + " → " +
          std::to_string(status) + " " + mask(mask(body, "SecretAccessKey"), "Token"));
      return true;
    }
    if (command == "refresh") {
      const int i = static_cast<int>(std::max(1L, arg));
      const std::string id = "local-credentials-refreshed-" + std::to_string(++messages_);
      send(R"({"type":"IAMRoleCredentialsMessage","message":{"messageId":"refresh-)" +
               std::to_string(messages_) + R"(","taskArn":")" + task_arn(i) +
               R"(","roleType":"TaskApplication","roleCredentials":)" + credentials_json(id) + "}}",
           "IAMRoleCredentialsMessage for task " + std::to_string(i));
      return true;
    }
    if (command == "manifest") {
      std::string tasks;
      for (int i = 1; i <= tasks_; ++i) {
        tasks += std::string(i > 1 ? "," : "") + R"({"taskArn":")" + task_arn(i) +
                 R"(","desiredStatus":"RUNNING"})";
      }
      send(R"({"type":"TaskManifestMessage","message":{"messageId":"manifest-)" +
               std::to_string(++messages_) + R"(","clusterArn":")" + kCluster +
               R"(","containerInstanceArn":"local","timeline":)" + std::to_string(++seq_) + R"(,"tasks":[)" +
               tasks + "]}}",
           "TaskManifestMessage");
      return true;
    }
    if (command == "sleep") return pause_for(std::chrono::milliseconds(arg));
    if (command == "heartbeat-every") {
      say("sending a heartbeat every " + std::to_string(arg) + " s; Ctrl-C to stop");
      while (pause_for(std::chrono::seconds(std::max(1L, arg)))) {
        report();
        step("heartbeat", 0);
      }
      return false;
    }
    say("unknown script command '" + command + "'");
    return false;
  }

  ecs::localcp::AcsServer& acs_;
  ecs::localcp::EcsApiServer& ecs_api_;
  const Options& options_;
  std::size_t seen_calls_ = 0;
  std::size_t seen_frames_ = 0;
  int seen_connections_ = 0;
  int messages_ = 0;
  int seq_ = 0;
  int tasks_ = 0;
  std::string payload_id_;
  std::string first_credentials_id_;
};

int usage(std::ostream& out, int code) {
  out << "Usage: ecs-local-control-plane [--dir DIR] [--ecs-port N] [--acs-port N] [--script FILE]\n"
         "                               [--agent-credentials-addr HOST:PORT]\n"
         "\n"
         "Serves the ECS API and ACS on 127.0.0.1 with a CA it generates, writes DIR/agent.env (a\n"
         "config file for the agent: ECS_CONFIG_FILE=DIR/agent.env ecs-agent) and plays a script to\n"
         "the agent (see the comment at the top of src/localcp/main.cpp). Ctrl-C stops it.\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "ecs-local-control-plane: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") return usage(std::cout, 0);
    if (a == "--dir") {
      o.dir = value();
    } else if (a == "--ecs-port") {
      o.ecs_port = static_cast<std::uint16_t>(std::stoi(value()));
    } else if (a == "--acs-port") {
      o.acs_port = static_cast<std::uint16_t>(std::stoi(value()));
    } else if (a == "--script") {
      o.script = value();
    } else if (a == "--agent-credentials-addr") {
      o.agent_credentials_addr = value();
    } else {
      std::cerr << "ecs-local-control-plane: unknown argument '" << a << "'\n";
      return usage(std::cerr, 2);
    }
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  std::error_code ec;
  std::filesystem::create_directories(o.dir, ec);
  const std::string dir = std::filesystem::absolute(o.dir, ec).string();
  ecs::localcp::LocalCa ca("ecs-local-control-plane CA");
  const auto certificate = ca.issue();
  ecs::localcp::ServerThread servers;
  const auto agent_credentials = ecs::aws::Credentials{"AKIDLOCAL" + random_hex(6), random_hex(20),
                                                       random_hex(16), std::nullopt, "local"};
  ecs::localcp::EcsApiServer ecs_api(servers, certificate, o.ecs_port);
  ecs::localcp::AcsServer acs(servers, certificate, agent_credentials, o.acs_port);
  ecs_api.accept_credentials(agent_credentials);
  ecs_api.set_default("DiscoverPollEndpoint", {200, "{\"endpoint\":\"" + acs.endpoint() + "\"}"});
  ecs_api.set_default(
      "RegisterContainerInstance",
      {200,
       R"({"containerInstance":{"containerInstanceArn":"arn:aws:ecs:us-west-2:000000000000:container-instance/local/)" +
           random_hex(8) + "\"}}"});

  const std::string ca_file = dir + "/ca.pem";
  std::ofstream(ca_file) << ca.cert_pem();
  const std::string env_file = dir + "/agent.env";
  {
    std::ofstream env(env_file);
    env << "# written by ecs-local-control-plane; contains this run's local credentials\n"
        << "AWS_CA_BUNDLE=" << ca_file << "\n"
        << "ECS_BACKEND_HOST=" << ecs_api.endpoint() << "\n"
        << "AWS_REGION=" << kRegion << "\n"
        << "AWS_ACCESS_KEY_ID=" << agent_credentials.access_key_id << "\n"
        << "AWS_SECRET_ACCESS_KEY=" << agent_credentials.secret_access_key << "\n"
        << "AWS_SESSION_TOKEN=" << agent_credentials.session_token << "\n"
        << "AWS_EC2_METADATA_DISABLED=true\n"
        << "ECS_CLUSTER=" << kCluster << "\n"
        << "ECS_DATADIR=" << dir << "/data\n";
  }
  std::filesystem::permissions(env_file,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  say("ECS API on " + ecs_api.endpoint() + ", ACS on " + acs.endpoint());
  say("ready: run the agent with ECS_CONFIG_FILE=" + env_file);

  Player player(acs, ecs_api, o);
  bool completed = true;
  if (o.script.empty()) {
    std::istringstream script(kDefaultScript);
    completed = player.run(script);
  } else {
    std::ifstream script(o.script);
    if (!script) {
      std::cerr << "ecs-local-control-plane: cannot read --script " << o.script << "\n";
      return 2;
    }
    completed = player.run(script);
  }
  player.report();
  if (!completed && !g_stop) return 1;
  say("stopped");
  return 0;
}
