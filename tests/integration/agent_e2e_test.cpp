// The built ecs-agent binary, run as users run it, against the fake ECS API and the fake ACS
// (TLS with a generated CA given through AWS_CA_BUNDLE, SigV4 verified): it registers, connects,
// answers heartbeats, acknowledges a payload, serves the task's credentials and the
// introspection API, keeps its state across a restart (re-registering with the saved ARN,
// 503 for credentials not yet re-sent), refuses another cluster's state, stops on SIGTERM with
// exit 0 within 5 s, and never logs a secret.
#include <signal.h>

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <set>

#include "state/lmdb_repository.h"
#include "support/agent_harness.h"
#include "support/fake_imds.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

#ifndef ECS_AGENT_BINARY
#error "ECS_AGENT_BINARY must name the built ecs-agent"
#endif
#ifndef ECS_LOCAL_CONTROL_PLANE_BINARY
#error "ECS_LOCAL_CONTROL_PLANE_BINARY must name the built ecs-local-control-plane"
#endif

namespace ecs::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kTaskSecret = "task-secret-never-logged";
constexpr const char* kTaskToken = "task-token-never-logged";

std::string payload(int seq, const std::string& task, const std::string& creds_id) {
  return R"({"type":"PayloadMessage","message":{"messageId":"payload-)" + std::to_string(seq) +
         R"(","clusterArn":"default","containerInstanceArn":"arn:aws:ecs:us-west-2:123456789012:container-instance/default/fake","seqNum":)" +
         std::to_string(seq) + R"(,"tasks":[{"arn":")" + task +
         R"(","family":"web","version":"3","desiredStatus":"RUNNING","containers":[{"name":"app"}],"roleCredentials":{"credentialsId":")" +
         creds_id +
         R"(","roleArn":"arn:aws:iam::123456789012:role/r","accessKeyId":"ASIATASK","secretAccessKey":")" +
         kTaskSecret + R"(","sessionToken":")" + kTaskToken + R"(","expiration":"2030-01-01T00:00:00Z"}}]}})";
}

class AgentE2E : public ::testing::Test, public AgentHarness {
 protected:
  AgentE2E() : AgentHarness(ECS_AGENT_BINARY) {}
};

TEST_F(AgentE2E, RegistersConnectsServesAndStopsCleanly) {
  auto agent = start("agent-1.log");
  ASSERT_TRUE(wait_for([&] { return acs_.connection_count() >= 1; })) << agent->output();

  // Registered, signed, with the host's resources; the introspection API shows the ARN.
  ASSERT_EQ(ecs_api_.count("RegisterContainerInstance"), 1);
  const auto calls = ecs_api_.calls();
  for (const auto& c : calls) EXPECT_TRUE(c.signature_ok) << c.operation << ": " << c.signature_error;
  const std::string& register_body = calls.front().body;
  EXPECT_NE(register_body.find(R"("cluster":"default")"), std::string::npos) << register_body;
  EXPECT_NE(register_body.find(R"("name":"CPU")"), std::string::npos) << register_body;
  EXPECT_EQ(register_body.find("containerInstanceArn"), std::string::npos) << "first registration has no ARN";
  ASSERT_TRUE(wait_for([&] {
    return http_get(introspection_port_, "/v1/metadata").body.find("container-instance/default/fake") !=
           std::string::npos;
  }));

  // Heartbeat → ack; payload → ack + credentials ack; the credentials endpoint answers.
  acs_.send(R"({"type":"HeartbeatMessage","message":{"healthy":true,"messageId":"hb-1"}})");
  ASSERT_TRUE(wait_for([&] { return received("HeartbeatAckRequest") == 1; })) << agent->output();
  acs_.send(payload(1, "arn:aws:ecs:us-west-2:123456789012:task/default/t1", "cred-1"));
  ASSERT_TRUE(wait_for([&] {
    return received("AckRequest") == 1 && received("IAMRoleCredentialsAckRequest") == 1;
  })) << agent->output();
  const HttpReply creds = http_get(credentials_port_, "/v2/credentials/cred-1");
  EXPECT_EQ(creds.status, 200u);
  EXPECT_NE(creds.body.find(kTaskSecret), std::string::npos) << creds.body;
  const HttpReply tasks = http_get(introspection_port_, "/v1/tasks");
  EXPECT_NE(tasks.body.find("task/default/t1"), std::string::npos) << tasks.body;

  // SIGTERM: exit 0 within 5 s.
  agent->signal(SIGTERM);
  const auto code = agent->wait_for_exit(5s);
  ASSERT_TRUE(code) << "still running 5 s after SIGTERM:\n" << agent->output();
  EXPECT_EQ(*code, 0) << agent->output();
  const std::string log = agent->output();
  EXPECT_NE(log.find("stopping"), std::string::npos) << log;
  EXPECT_NE(log.find("configFile=" + dir_.file("ecs.config")), std::string::npos) << log;
  for (const char* secret : {FakeEcsApi::kSecret, "fake-ecs-session-token", kTaskSecret, kTaskToken}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " is in the log";
  }

  // Restart: the saved ARN is re-registered; credentials not yet re-sent answer 503.
  auto again = start("agent-2.log");
  ASSERT_TRUE(wait_for([&] { return ecs_api_.count("RegisterContainerInstance") == 2; })) << again->output();
  const std::string second = ecs_api_.calls().back().operation == "RegisterContainerInstance"
                                 ? ecs_api_.calls().back().body
                                 : ecs_api_.calls()[ecs_api_.calls().size() - 2].body;
  ASSERT_TRUE(wait_for([&] { return http_get(credentials_port_, "/v2/credentials/cred-1").status != 0; }));
  EXPECT_EQ(http_get(credentials_port_, "/v2/credentials/cred-1").status, 503u);
  EXPECT_NE(http_get(introspection_port_, "/v1/tasks").body.find("task/default/t1"), std::string::npos);
  again->signal(SIGINT);
  ASSERT_TRUE(again->wait_for_exit(5s)) << again->output();
  bool found_arn = false;
  for (const auto& c : ecs_api_.calls()) {
    if (c.operation == "RegisterContainerInstance" &&
        c.body.find(
            R"("containerInstanceArn":"arn:aws:ecs:us-west-2:123456789012:container-instance/default/fake")") !=
            std::string::npos) {
      found_arn = true;
    }
  }
  EXPECT_TRUE(found_arn) << second;
}

TEST_F(AgentE2E, AnotherClustersStateStopsStartUp) {
  auto agent = start("agent-1.log");
  ASSERT_TRUE(wait_for([&] { return acs_.connection_count() >= 1; })) << agent->output();
  agent->signal(SIGTERM);
  ASSERT_TRUE(agent->wait_for_exit(5s));

  auto other = start("agent-2.log", "other-cluster");
  const auto code = other->wait_for_exit(20s);
  ASSERT_TRUE(code) << other->output();
  EXPECT_EQ(*code, 5) << other->output();
  EXPECT_NE(other->output().find("belongs to cluster \"default\" but ECS_CLUSTER is \"other-cluster\""),
            std::string::npos)
      << other->output();
}

TEST_F(AgentE2E, InvalidConfigurationIsATerminalErrorNamingTheVariable) {
  auto e = env();
  e.emplace_back("ECS_LOGLEVEL", "loud");
  BackgroundProcess agent({ECS_AGENT_BINARY}, e, dir_.file("agent.log"));
  const auto code = agent.wait_for_exit(20s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 5);
  EXPECT_NE(agent.output().find("ECS_LOGLEVEL=\"loud\": expected one of"), std::string::npos)
      << agent.output();
}

// On EC2: the region and the agent's credentials from the instance metadata (IMDSv2), logs as
// JSON lines into ECS_LOGFILE, and --healthcheck following the agent's introspection endpoint.
TEST_F(AgentE2E, RegionAndCredentialsFromImdsJsonLogFileAndHealthcheck) {
  FakeImds imds(servers_);
  FakeImds::Behaviour b;
  b.access_key_id = FakeEcsApi::kAccessKeyId;
  b.secret_access_key = FakeEcsApi::kSecret;
  b.token = "imds-token-never-logged";
  imds.set(b);
  auto e = env();
  std::erase_if(e, [](const auto& kv) {
    return kv.first == "AWS_REGION" || kv.first.starts_with("AWS_ACCESS") ||
           kv.first.starts_with("AWS_SECRET") || kv.first == "AWS_SESSION_TOKEN" ||
           kv.first == "AWS_EC2_METADATA_DISABLED";
  });
  e.emplace_back("AWS_REGION", "");
  e.emplace_back("AWS_DEFAULT_REGION", "");
  e.emplace_back("AWS_ACCESS_KEY_ID", "");
  e.emplace_back("AWS_SECRET_ACCESS_KEY", "");
  e.emplace_back("AWS_SESSION_TOKEN", "");
  e.emplace_back("AWS_EC2_METADATA_DISABLED", "false");
  e.emplace_back("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
  e.emplace_back("ECS_LOG_OUTPUT_FORMAT", "json");
  e.emplace_back("ECS_LOGFILE", dir_.file("agent.json.log"));
  BackgroundProcess agent({ECS_AGENT_BINARY}, e, dir_.file("agent.out"));
  ASSERT_TRUE(wait_for([&] { return acs_.connection_count() >= 1; })) << agent.output();
  for (const auto& c : ecs_api_.calls()) EXPECT_TRUE(c.signature_ok) << c.signature_error;
  const auto seen = imds.seen();
  EXPECT_GE(seen.token_puts, 1);
  EXPECT_NE(std::find(seen.paths.begin(), seen.paths.end(), "/latest/meta-data/placement/region"),
            seen.paths.end());

  ProcessOptions probe_env;
  probe_env.env = {{"ECS_INTROSPECTION_ADDR", "127.0.0.1:" + std::to_string(introspection_port_)},
                   {"ECS_CONFIG_FILE", dir_.file("ecs.config")}};
  EXPECT_EQ(run_process({ECS_AGENT_BINARY, "--healthcheck"}, probe_env).exit_code, 0);

  agent.signal(SIGTERM);
  ASSERT_TRUE(agent.wait_for_exit(5s));
  EXPECT_EQ(run_process({ECS_AGENT_BINARY, "--healthcheck"}, probe_env).exit_code, 1);  // nothing listens now

  std::ifstream log_file(dir_.file("agent.json.log"));
  std::string line;
  int lines = 0;
  while (std::getline(log_file, line)) {
    ++lines;
    EXPECT_TRUE(line.starts_with("{") && line.ends_with("}")) << line;
    EXPECT_EQ(line.find("imds-token-never-logged"), std::string::npos) << line;
    EXPECT_EQ(line.find(FakeEcsApi::kSecret), std::string::npos) << line;
  }
  EXPECT_GT(lines, 3);
}

// Nothing acknowledged is lost: the agent itself is killed with SIGKILL at random moments while
// ACS streams payloads (one new task each, 10 ms apart, then a burst of 20); after every kill the saved state
// holds every task whose payload the agent acknowledged, only tasks that were sent, of each run a prefix of
// what it was sent, and the sequence number of the same commit as the tasks. ECS_AGENT_CRASH_ITERATIONS kills
// (default 8).
TEST_F(AgentE2E, SigkillWhilePayloadsStreamNeverLosesAnAcknowledgedTask) {
  const char* iterations_env = std::getenv("ECS_AGENT_CRASH_ITERATIONS");
  const int iterations = iterations_env != nullptr ? std::atoi(iterations_env) : 8;
  const unsigned seed = std::random_device{}();
  std::printf("seed %u, %d kills\n", seed, iterations);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> run_ms(20, 300);
  int next = 1;
  int connections = 0;
  std::size_t acked_total = 0;
  std::vector<std::pair<int, int>> runs;  // [first, next) payload numbers sent to each agent run
  for (int k = 0; k < iterations; ++k) {
    auto agent = start("agent-" + std::to_string(k) + ".log");
    ASSERT_TRUE(wait_for([&] { return acs_.connection_count() > connections; })) << agent->output();
    connections = acs_.connection_count();
    const int first = next;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms(random));
    while (std::chrono::steady_clock::now() < until) {
      acs_.send(payload(next, "arn:aws:ecs:us-west-2:123456789012:task/default/t" + std::to_string(next),
                        "cred-" + std::to_string(next)));
      ++next;
      std::this_thread::sleep_for(10ms);
    }
    // A burst the agent is still working through when the kill lands.
    for (int b = 0; b < 20; ++b, ++next) {
      acs_.send(payload(next, "arn:aws:ecs:us-west-2:123456789012:task/default/t" + std::to_string(next),
                        "cred-" + std::to_string(next)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(run_ms(random) / 20));
    agent->signal(SIGKILL);
    ASSERT_TRUE(agent->wait_for_exit(5s));

    std::set<int> acked;
    const std::string key = "\"messageId\":\"payload-";
    for (const auto& f : acs_.received_all()) {
      const auto at = f.find(key);
      if (frame_is(f, "AckRequest") && at != std::string::npos)
        acked.insert(std::stoi(f.substr(at + key.size())));
    }
    acked_total = acked.size();
    auto store = state::LmdbRepository::open(dir_.file("data"));
    ASSERT_TRUE(store) << store.error().message;
    auto saved = (*store)->load();
    ASSERT_TRUE(saved) << saved.error().message;
    std::set<int> tasks;
    for (const auto& t : saved->tasks) tasks.insert(std::stoi(t.arn.substr(t.arn.rfind("/t") + 2)));
    for (int a : acked)
      ASSERT_TRUE(tasks.count(a)) << "kill " << k << ": acknowledged payload " << a << " lost";
    runs.emplace_back(first, next);
    if (!tasks.empty()) {
      EXPECT_LT(*tasks.rbegin(), next) << "kill " << k << ": a task that was never sent";
      EXPECT_EQ(saved->instance.seq_num, *tasks.rbegin())
          << "kill " << k << ": sequence number and tasks disagree";
    }
    // Each run's payloads are handled in order: what was kept of a run is a prefix of it.
    for (const auto& [from, to] : runs) {
      int kept_until = from;
      while (kept_until < to && tasks.count(kept_until)) ++kept_until;
      for (int n = kept_until; n < to; ++n) {
        ASSERT_FALSE(tasks.count(n)) << "kill " << k << ": payload " << n << " kept after a lost one";
      }
    }
  }
  std::printf("payloads sent: %d, acknowledged: %zu, every acknowledged one kept across %d kills\n", next - 1,
              acked_total, iterations);
}

// Reliability figure: the control plane's ACS is killed (every connection dropped, nothing
// listening) for 2 s and restarted on the same port; the agent reconnects on its own and the
// session works again. The time from the restart to the new connection is printed.
TEST_F(AgentE2E, ReconnectsAfterTheControlPlaneIsKilledAndRestarted) {
  const TestCertificate certificate = ca_.issue();
  // A port of its own (a port 0 pick could be one the agent's endpoints were given).
  const auto port = static_cast<std::uint16_t>(free_local_port());
  auto acs_thread = std::make_unique<ServerThread>();
  auto acs = std::make_unique<FakeAcs>(*acs_thread, certificate, FakeEcsApi::credentials(), port);
  const std::string endpoint = acs->endpoint();
  ecs_api_.set_default("DiscoverPollEndpoint", {200, "{\"endpoint\":\"" + endpoint + "\"}"});
  auto agent = start("agent.log");
  ASSERT_TRUE(wait_for([&] { return acs->connection_count() >= 1; })) << agent->output();

  acs.reset();
  acs_thread.reset();  // killed
  std::this_thread::sleep_for(2s);
  const auto restarted = std::chrono::steady_clock::now();
  acs_thread = std::make_unique<ServerThread>();
  acs = std::make_unique<FakeAcs>(*acs_thread, certificate, FakeEcsApi::credentials(), port);
  ASSERT_TRUE(wait_for([&] { return acs->connection_count() >= 1; }, 150s)) << agent->output();
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - restarted);
  std::printf("reconnected %lld ms after the control plane came back (it was down 2 s)\n",
              static_cast<long long>(took.count()));
  acs->send(R"({"type":"HeartbeatMessage","message":{"healthy":true,"messageId":"hb-after"}})");
  ASSERT_TRUE(wait_for([&] {
    for (const auto& f : acs->received_all()) {
      if (frame_is(f, "HeartbeatAckRequest") && f.find("hb-after") != std::string::npos) return true;
    }
    return false;
  })) << agent->output();
  agent->signal(SIGTERM);
  const auto code = agent->wait_for_exit(5s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
}

// What `make run` shows, with the shipped programs: ecs-local-control-plane writes the agent's
// config file; the agent registers, connects, acknowledges the payload; the control plane reads
// the task's credentials from the agent's endpoint; SIGINT stops both, the agent with exit 0.
TEST(LocalControlPlane, TheWholeExchangeAndACleanStop) {
  TempDir dir;
  const auto credentials_port = free_local_port();
  const std::string credentials_addr = "127.0.0.1:" + std::to_string(credentials_port);
  BackgroundProcess cp({ECS_LOCAL_CONTROL_PLANE_BINARY, "--dir", dir.file("run"), "--agent-credentials-addr",
                        credentials_addr},
                       {}, dir.file("cp.log"));
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline && cp.output().find("ready") == std::string::npos) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_NE(cp.output().find("ready"), std::string::npos) << cp.output();
  // The control plane's file decides (the shell may carry an AWS_CA_BUNDLE of its own).
  BackgroundProcess agent({ECS_AGENT_BINARY},
                          {{"ECS_CONFIG_FILE", dir.file("run/agent.env")},
                           {"AWS_CA_BUNDLE", dir.file("run/ca.pem")},
                           {"AWS_REGION", "us-west-2"},
                           {"ECS_INTROSPECTION_ADDR", "127.0.0.1:" + std::to_string(free_local_port())},
                           {"ECS_CREDENTIALS_ADDR", credentials_addr},
                           {"DOCKER_HOST", "unix://" + dir.file("no-docker.sock")},
                           {"HTTPS_PROXY", ""},
                           {"NO_PROXY", ""}},
                          dir.file("agent.log"));
  // The agent's own credentials come from the file: nothing of this test's environment.
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < until &&
         cp.output().find("/v2/credentials/local-credentials-1-1 → 200") == std::string::npos) {
    std::this_thread::sleep_for(50ms);
  }
  const std::string shown = cp.output();
  EXPECT_NE(shown.find("RegisterContainerInstance (signature verified)"), std::string::npos) << shown;
  EXPECT_NE(shown.find("ACS: agent connected (SigV4 verified)"), std::string::npos) << shown;
  EXPECT_NE(shown.find("the agent acknowledged payload-1"), std::string::npos) << shown;
  EXPECT_NE(shown.find("/v2/credentials/local-credentials-1-1 → 200 {\"RoleArn\""), std::string::npos)
      << shown << agent.output();
  EXPECT_NE(shown.find("\"SecretAccessKey\":\"****\""), std::string::npos) << shown;

  agent.signal(SIGINT);
  cp.signal(SIGINT);
  const auto agent_code = agent.wait_for_exit(5s);
  ASSERT_TRUE(agent_code) << agent.output();
  EXPECT_EQ(*agent_code, 0) << agent.output();
  const auto cp_code = cp.wait_for_exit(5s);
  ASSERT_TRUE(cp_code) << cp.output();
  EXPECT_EQ(*cp_code, 0) << cp.output();
}

}  // namespace
}  // namespace ecs::test
