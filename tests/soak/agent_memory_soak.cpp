// Memory over time (issue 6, point 8): the built agent against the local control plane for
// SOAK_MINUTES (default 30) minutes — a heartbeat every second, a payload of 10 tasks with fresh
// credentials secrets every 5 s — sampling the agent's resident set size (VmRSS). Prints RSS at
// the start (after the first payload), at the end and the maximum, and fails if the agent stopped
// answering. `make soak` runs it.   usage: agent_memory_soak AGENT_BINARY WORK_DIR
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "localcp/acs_server.h"
#include "localcp/ecs_api_server.h"
#include "support/background_process.h"

namespace {

using namespace std::chrono_literals;
using ecs::localcp::frame_is;

long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long value = 0;
  std::string unit;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value >> unit;
      return value;
    }
    std::getline(in, unit);
  }
  return 0;
}

int count(const ecs::localcp::AcsServer& acs, const std::string& type) {
  int n = 0;
  for (const auto& f : acs.received_all()) n += frame_is(f, type) ? 1 : 0;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: agent_memory_soak AGENT_BINARY WORK_DIR\n");
    return 2;
  }
  const char* minutes_env = std::getenv("SOAK_MINUTES");
  const double minutes = minutes_env != nullptr ? std::atof(minutes_env) : 30.0;
  const std::string dir = argv[2];
  std::filesystem::create_directories(dir);

  ecs::localcp::LocalCa ca;
  const auto certificate = ca.issue();
  ecs::localcp::ServerThread servers;
  ecs::localcp::EcsApiServer ecs_api(servers, certificate);
  ecs::localcp::AcsServer acs(servers, certificate, ecs::localcp::EcsApiServer::credentials());
  ecs_api.set_default("DiscoverPollEndpoint", {200, "{\"endpoint\":\"" + acs.endpoint() + "\"}"});
  const auto creds = ecs::localcp::EcsApiServer::credentials();
  const std::string ca_file = ca.write_pem_file(dir);
  std::ofstream(dir + "/empty.config") << "";
  ecs::test::BackgroundProcess agent(
      {argv[1]},
      {{"AWS_CA_BUNDLE", ca_file},
       {"ECS_BACKEND_HOST", ecs_api.endpoint()},
       {"AWS_REGION", "us-west-2"},
       {"AWS_ACCESS_KEY_ID", creds.access_key_id},
       {"AWS_SECRET_ACCESS_KEY", creds.secret_access_key},
       {"AWS_SESSION_TOKEN", creds.session_token},
       {"AWS_EC2_METADATA_DISABLED", "true"},
       {"ECS_DATADIR", dir + "/data"},
       {"ECS_CONFIG_FILE", dir + "/empty.config"},
       {"ECS_LOGLEVEL", "warn"},
       {"ECS_INTROSPECTION_ADDR", "127.0.0.1:" + std::to_string(ecs::test::free_local_port())},
       {"ECS_CREDENTIALS_ADDR", "127.0.0.1:" + std::to_string(ecs::test::free_local_port())},
       {"DOCKER_HOST", "unix://" + dir + "/no-docker.sock"},
       {"HTTPS_PROXY", ""},
       {"NO_PROXY", ""}},
      dir + "/agent.log");
  if (!acs.wait_for([&] { return acs.connection_count() >= 1; }, 30s)) {
    std::fprintf(stderr, "the agent did not connect:\n%s\n", agent.output().c_str());
    return 1;
  }
  const int pid = agent.pid();

  auto payload = [&](int seq) {
    std::string tasks;
    for (int i = 0; i < 10; ++i) {
      tasks +=
          std::string(i > 0 ? "," : "") + R"({"arn":"arn:aws:ecs:us-west-2:123456789012:task/default/soak-)" +
          std::to_string(i) +
          R"(","family":"soak","version":"1","desiredStatus":"RUNNING","containers":[{"name":"app"}],"roleCredentials":{"credentialsId":"soak-)" +
          std::to_string(i) +
          R"(","roleArn":"arn:aws:iam::123456789012:role/r","accessKeyId":"ASIASOAK","secretAccessKey":"secret-)" +
          std::to_string(seq) + R"(","sessionToken":"token-)" + std::to_string(seq) +
          R"(","expiration":"2099-01-01T00:00:00Z"}})";
    }
    acs.send(R"({"type":"PayloadMessage","message":{"messageId":"soak-)" + std::to_string(seq) +
             R"(","clusterArn":"default","containerInstanceArn":"x","seqNum":)" + std::to_string(seq) +
             R"(,"tasks":[)" + tasks + "]}}");
  };
  payload(1);
  acs.wait_for([&] { return count(acs, "AckRequest") >= 1; }, 10s);
  const long start_kib = rss_kib(pid);
  long max_kib = start_kib;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double, std::ratio<60>>(minutes);
  int seconds = 0;
  int payloads = 1;
  int heartbeats = 0;
  while (std::chrono::steady_clock::now() < end && agent.running()) {
    std::this_thread::sleep_for(1s);
    ++seconds;
    acs.send(R"({"type":"HeartbeatMessage","message":{"healthy":true,"messageId":"hb-)" +
             std::to_string(++heartbeats) + "\"}}");
    if (seconds % 5 == 0) payload(++payloads);
    max_kib = std::max(max_kib, rss_kib(pid));
  }
  std::this_thread::sleep_for(1s);
  const long end_kib = rss_kib(pid);
  const int heartbeat_acks = count(acs, "HeartbeatAckRequest");
  const int payload_acks = count(acs, "AckRequest");
  std::printf("soak: %.1f min, %d heartbeats (%d acked), %d payloads of 10 tasks (%d acked)\n", minutes,
              heartbeats, heartbeat_acks, payloads, payload_acks);
  std::printf("soak: agent RSS start %.2f MiB, end %.2f MiB, max %.2f MiB (end/start %.3f)\n",
              start_kib / 1024.0, end_kib / 1024.0, max_kib / 1024.0,
              start_kib > 0 ? static_cast<double>(end_kib) / start_kib : 0.0);
  agent.signal(SIGTERM);
  const auto code = agent.wait_for_exit(5s);
  std::printf("soak: agent exit %d after SIGTERM\n", code ? *code : -1);
  const bool ok = code && *code == 0 && heartbeat_acks >= heartbeats - 1 && payload_acks >= payloads - 1;
  return ok ? 0 : 1;
}
