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
//   run-task <image>      send a PayloadMessage with a task that runs: container "init" (exits 0)
//                         and container "web" (essential, dependsOn init SUCCESS, runs until
//                         stopped), both from <image> (which needs `sh`, e.g. busybox)
//   wait-task <STATUS> [s] wait (default 120 s) until the agent reports the run-task task in
//                         STATUS (SubmitTaskStateChange); fails the script otherwise
//   stop-task             send the run-task task again with desiredStatus STOPPED
//   show-tasks            GET the agent's introspection /v1/tasks and print it
//   wait-cleanup [s]      wait (default 120 s) until /v1/tasks no longer lists the run-task task
//   wait-connections <N>  wait (up to 120 s) until the agent has connected N times in all (a
//                         restarted agent connects again)
//   wait-file <path> [s]  wait (default 300 s) until <path> exists: a test outside steps the script
//   done                  end the script here (the control plane exits 0)
//
// With --image IMAGE the built-in script runs a task from IMAGE and stops it (what `make run`
// does with its private dockerd); without it the built-in script sends tasks with no image.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "core/address.h"
#include "core/digest.h"
#include "localcp/acs_server.h"
#include "localcp/ecs_api_server.h"
#include "localcp/state_changes.h"

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

// %IMAGE% is replaced by --image.
constexpr const char* kTaskScript =
    "wait-connection\n"
    "heartbeat\n"
    "run-task %IMAGE%\n"
    "wait-ack\n"
    "wait-task RUNNING 120\n"
    "show-tasks\n"
    "sleep 3000\n"
    "stop-task\n"
    "wait-task STOPPED 60\n"
    "wait-cleanup 60\n"
    "heartbeat-every 20\n";
constexpr const char* kCluster = "local";
constexpr const char* kRegion = "us-west-2";

struct Options {
  std::string dir = "local-control-plane";
  std::uint16_t ecs_port = 0;
  std::uint16_t acs_port = 0;
  std::string script;
  std::string agent_credentials_addr = "127.0.0.1:51679";
  std::string agent_introspection_addr = "127.0.0.1:51678";
  std::string image;
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
      std::string what;
      if (c.operation == "SubmitTaskStateChange") {
        const auto change = ecs::localcp::parse_task_state_change(c.body);
        what = ": " + (change ? describe(*change) : change.error().message);
      }
      say("ECS API ← " + c.operation +
          (c.signature_ok ? " (signature verified)" : " (BAD SIGNATURE: " + c.signature_error + ")") + what);
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
      std::string word;
      long arg = 0;
      if (command == "run-task" || command == "wait-task" || command == "wait-file") words >> word;
      if (command == "done") return true;
      words >> arg;
      report();
      if (!step(command, arg, word)) return false;
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

  std::string run_task_json(const std::string& desired) const {
    // The image needs a POSIX sh; "web" leaves on SIGTERM within a second.
    return R"({"arn":")" + run_task_arn_ + R"(","family":"local-web","version":"1","desiredStatus":")" +
           desired +
           R"(","containers":[)"
           R"({"name":"init","image":")" +
           run_image_ +
           R"(","essential":false,"command":["sh","-c","echo init done"]},)"
           R"({"name":"web","image":")" +
           run_image_ +
           R"(","essential":true,"stopTimeout":5,)"
           R"("dependsOn":[{"containerName":"init","condition":"SUCCESS"}],)"
           R"("command":["sh","-c","trap 'echo web stopping; exit 0' TERM; echo web is up; while true; do sleep 1; done"]}]})";
  }

  void send_run_task(const std::string& desired) {
    ++seq_;
    payload_id_ = "payload-" + std::to_string(seq_);
    send(R"({"type":"PayloadMessage","message":{"messageId":")" + payload_id_ + R"(","clusterArn":")" +
             kCluster + R"(","containerInstanceArn":"local","seqNum":)" + std::to_string(seq_) +
             R"(,"tasks":[)" + run_task_json(desired) + "]}}",
         "PayloadMessage: task " + run_task_arn_ + " (containers init, web from " + run_image_ +
             ") desiredStatus " + desired);
  }

  // The latest status the agent reported for the run-task task ("" before any).
  std::vector<std::string> reported_statuses() const {
    std::vector<std::string> out;
    for (const auto& c : ecs_api_.calls()) {
      if (c.operation != "SubmitTaskStateChange") continue;
      const auto change = ecs::localcp::parse_task_state_change(c.body);
      if (change && change->task == run_task_arn_) out.push_back(change->status);
    }
    return out;
  }

  std::optional<std::pair<unsigned, std::string>> introspection_get(const std::string& target) {
    auto addr = ecs::parse_host_port(options_.agent_introspection_addr, "--agent-introspection-addr");
    if (!addr) {
      say(addr.error().message);
      return std::nullopt;
    }
    return http_get(*addr, target);
  }

  enum class Wait { done, timed_out, stopped };
  Wait wait_seconds(long seconds, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    for (;;) {
      report();
      if (done()) return Wait::done;
      if (std::chrono::steady_clock::now() >= deadline) return Wait::timed_out;
      if (!pause_for(100ms)) return Wait::stopped;
    }
  }

  bool step(const std::string& command, long arg, const std::string& word = "") {
    if (command == "run-task") {
      if (word.empty()) {
        say("run-task needs an image");
        return false;
      }
      run_image_ = word;
      run_task_arn_ = task_arn(100 + (++run_tasks_));
      send_run_task("RUNNING");
      return true;
    }
    if (command == "stop-task") {
      if (run_task_arn_.empty()) {
        say("stop-task: no run-task before it");
        return false;
      }
      send_run_task("STOPPED");
      return true;
    }
    if (command == "wait-task") {
      if (run_task_arn_.empty() || word.empty()) {
        say("wait-task needs a STATUS and a run-task before it");
        return false;
      }
      const long seconds = arg > 0 ? arg : 120;
      say("waiting for the agent to report " + run_task_arn_ + " " + word + "…");
      const auto waited = wait_seconds(seconds, [&] {
        const auto statuses = reported_statuses();
        return std::find(statuses.begin(), statuses.end(), word) != statuses.end();
      });
      if (waited == Wait::done) say("the agent reported the task " + word + " (accepted)");
      if (waited == Wait::timed_out) {
        say("the agent did not report the task " + word + " within " + std::to_string(seconds) +
            " s (does the agent reach Docker through DOCKER_HOST, and has Docker the image?)");
      }
      return waited == Wait::done;
    }
    if (command == "show-tasks") {
      const auto reply = introspection_get("/v1/tasks");
      if (!reply) return false;
      say("GET http://" + options_.agent_introspection_addr + "/v1/tasks → " + std::to_string(reply->first) +
          " " + reply->second);
      return true;
    }
    if (command == "wait-cleanup") {
      const long seconds = arg > 0 ? arg : 120;
      say("waiting for the agent to remove the stopped task's containers and forget it…");
      const auto waited = wait_seconds(seconds, [&] {
        const auto reply = introspection_get("/v1/tasks");
        return reply && reply->first == 200 && reply->second.find(run_task_arn_) == std::string::npos;
      });
      if (waited == Wait::done) say("the agent cleaned up " + run_task_arn_);
      if (waited == Wait::timed_out) {
        say("the agent still lists " + run_task_arn_ + " after " + std::to_string(seconds) + " s");
      }
      return waited == Wait::done;
    }
    if (command == "wait-connections") {
      const int wanted = static_cast<int>(std::max(1L, arg));
      say("waiting for the agent's connection number " + std::to_string(wanted) + "…");
      const auto waited = wait_seconds(120, [&] { return acs_.connection_count() >= wanted; });
      if (waited == Wait::timed_out) say("the agent did not connect " + std::to_string(wanted) + " times");
      return waited == Wait::done;
    }
    if (command == "wait-file") {
      if (word.empty()) {
        say("wait-file needs a path");
        return false;
      }
      const auto waited = wait_seconds(arg > 0 ? arg : 300, [&] {
        std::error_code ec;
        return std::filesystem::exists(word, ec);
      });
      if (waited == Wait::timed_out) say("no " + word + " appeared");
      return waited == Wait::done;
    }
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
  int run_tasks_ = 0;
  std::string run_task_arn_;
  std::string run_image_;
};

int usage(std::ostream& out, int code) {
  out << "Usage: ecs-local-control-plane [--dir DIR] [--ecs-port N] [--acs-port N] [--script FILE]\n"
         "                               [--agent-credentials-addr HOST:PORT]\n"
         "                               [--agent-introspection-addr HOST:PORT] [--image IMAGE]\n"
         "\n"
         "Serves the ECS API and ACS on 127.0.0.1 with a CA it generates, writes DIR/agent.env (a\n"
         "config file for the agent: ECS_CONFIG_FILE=DIR/agent.env ecs-agent) and plays a script to\n"
         "the agent (see the comment at the top of src/localcp/main.cpp). With --image the built-in\n"
         "script runs a task from IMAGE on the agent's Docker and stops it. Ctrl-C stops it.\n";
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
    } else if (a == "--agent-introspection-addr") {
      o.agent_introspection_addr = value();
    } else if (a == "--image") {
      o.image = value();
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
        << "ECS_DATADIR=" << dir << "/data\n"
        << "# the task images are local: use the cached image, pull only a missing one\n"
        << "ECS_IMAGE_PULL_BEHAVIOR=prefer-cached\n"
        << "# a stopped task's containers are removed after this (the default is 3h)\n"
        << "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION=10s\n";
  }
  std::filesystem::permissions(env_file,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  say("ECS API on " + ecs_api.endpoint() + ", ACS on " + acs.endpoint());
  say("ready: run the agent with ECS_CONFIG_FILE=" + env_file);

  Player player(acs, ecs_api, o);
  bool completed = true;
  if (o.script.empty()) {
    std::string text = kDefaultScript;
    if (!o.image.empty()) {
      text = kTaskScript;
      text.replace(text.find("%IMAGE%"), 7, o.image);
    }
    std::istringstream script(text);
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
