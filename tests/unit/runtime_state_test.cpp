// The durable collaborators behind the ACS responders and the introspection API on top of them.
#include <gtest/gtest.h>

#include <filesystem>

#include "acs/in_memory.h"
#include "core/file.h"
#include "server/introspection.h"
#include "state/durable_agent.h"
#include "support/run.h"
#include "support/temp_dir.h"

namespace ecs::state {
namespace {

using namespace std::chrono_literals;

acs::IAMRoleCredentials role(const std::string& id) {
  acs::IAMRoleCredentials c;
  c.credentialsId = id;
  c.roleArn = "arn:aws:iam::123456789012:role/app";
  c.accessKeyId = "ASIA" + id;
  c.secretAccessKey = "secret-of-" + id;
  c.sessionToken = "token-of-" + id;
  c.expiration = "2026-11-23T12:00:00Z";
  return c;
}

acs::PayloadMessage payload(std::int64_t seq, std::vector<std::string> arns) {
  acs::PayloadMessage m;
  m.messageId = "msg-" + std::to_string(seq);
  m.clusterArn = "default";
  m.containerInstanceArn = "arn:ci";
  m.seqNum = seq;
  m.tasks.emplace();
  for (const auto& arn : arns) {
    acs::Task t;
    t.arn = arn;
    t.family = "web";
    t.version = "1";
    t.desiredStatus = "RUNNING";
    t.roleCredentials = role("cred-" + arn.substr(arn.size() - 2));
    acs::Container c;
    c.name = "app";
    acs::ManagedAgent agent;
    agent.name = "ExecuteCommandAgent";
    agent.properties = acs::StringMap::value_type{{"sessionLimit", "2"}};
    c.managedAgents = std::vector<acs::ManagedAgent>{agent};
    t.containers = std::vector<acs::Container>{c};
    m.tasks->push_back(t);
  }
  return m;
}

class DurableAgentTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  StateStore store{dir.path()};
  acs::InMemoryCredentialsStore credentials;
  ManualClock clock;
  int acks = 0;
  acs::AckFunction ack = [this](const acs::AckRequest&,
                                const std::vector<acs::IAMRoleCredentialsAckRequest>&) { ++acks; };
};

TEST_F(DurableAgentTest, APayloadIsCommittedBeforeItIsAcked) {
  DurableAgent agent({}, &store, credentials, clock);
  bool saved_when_acked = false;
  acs::AckFunction check = [&](const acs::AckRequest&,
                               const std::vector<acs::IAMRoleCredentialsAckRequest>& c) {
    StateStore reader(dir.path());
    auto on_disk = reader.load();
    saved_when_acked = on_disk && on_disk->tasks.size() == 2 && on_disk->seq_num == 7;
    EXPECT_EQ(c.size(), 2u);
  };
  auto r = test::run(agent.process(payload(7, {"arn:task/t1", "arn:task/t2"}), check));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(saved_when_acked);

  StateStore reader(dir.path());
  auto loaded = reader.load();
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->tasks.size(), 2u);
  EXPECT_EQ(loaded->tasks[0].credentials_id, "cred-t1");
  EXPECT_EQ(loaded->tasks[0].desired_status, "RUNNING");
  ASSERT_EQ(loaded->tasks[0].containers.size(), 1u);
  EXPECT_EQ(loaded->tasks[0].containers[0].managed_agents.at(0).name, "ExecuteCommandAgent");
  // The secrets are in memory only.
  EXPECT_TRUE(credentials.get_task_credentials("cred-t1"));
  const std::string payload_json = encode_state(*loaded);
  EXPECT_EQ(payload_json.find("secret-of"), std::string::npos);
  EXPECT_EQ(payload_json.find("token-of"), std::string::npos);
}

TEST_F(DurableAgentTest, NoAckWhenTheStateCannotBeSaved) {
  StateStore nowhere(dir.path() + "/missing");
  DurableAgent agent({}, &nowhere, credentials, clock);
  auto r = test::run(agent.process(payload(1, {"arn:task/t1"}), ack));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StateErrc::io);
  EXPECT_EQ(acks, 0);
}

TEST_F(DurableAgentTest, RestartKeepsTasksSequenceManifestAndCredentialIds) {
  {
    DurableAgent agent({}, &store, credentials, clock);
    ASSERT_TRUE(test::run(agent.process(payload(3, {"arn:task/t1"}), ack)));
    ASSERT_TRUE(agent.set("manifest-9"));
    ASSERT_TRUE(agent.set_registration("default", "arn:ci/1"));
  }
  acs::InMemoryCredentialsStore fresh;  // credentials are gone with the process
  auto loaded = store.load();
  ASSERT_TRUE(loaded);
  DurableAgent again(*loaded, &store, fresh, clock);
  EXPECT_EQ(again.latest(), 3);
  EXPECT_EQ(again.get(), "manifest-9");
  EXPECT_EQ(again.state().container_instance_arn, "arn:ci/1");
  EXPECT_TRUE(again.knows_credentials_id("cred-t1"));  // the endpoint answers 503, not 400
  EXPECT_FALSE(again.knows_credentials_id("cred-zz"));
}

TEST_F(DurableAgentTest, StoppingATaskRemovesItsCredentials) {
  DurableAgent agent({}, &store, credentials, clock);
  ASSERT_TRUE(test::run(agent.process(payload(1, {"arn:task/t1"}), ack)));
  ASSERT_TRUE(agent.stop_task("arn:task/t1"));
  EXPECT_FALSE(credentials.get_task_credentials("cred-t1"));
  EXPECT_EQ(store.load()->tasks.at(0).desired_status, "STOPPED");
  EXPECT_TRUE(agent.stop_task("arn:task/unknown"));  // ignored
}

TEST_F(DurableAgentTest, AttachmentsAreKeptUntilTheyExpire) {
  DurableAgent agent({}, &store, credentials, clock);
  acs::EniAttachment eni;
  eni.attachment_arn = "arn:attachment/eni-1";
  eni.attachment_type = "task-eni";
  eni.expires_at = clock.now() + 10min;
  ASSERT_TRUE(agent.handle_eni_attachment(eni));
  EXPECT_EQ(store.load()->attachments.size(), 1u);
  clock.advance(5min);
  ASSERT_TRUE(agent.expire_attachments());
  EXPECT_EQ(agent.state().attachments.size(), 1u);
  clock.advance(6min);
  ASSERT_TRUE(agent.expire_attachments());
  EXPECT_TRUE(agent.state().attachments.empty());
  EXPECT_TRUE(store.load()->attachments.empty());
}

TEST_F(DurableAgentTest, ManifestComparisonListsRunningTasksNotInTheManifest) {
  DurableAgent agent({}, &store, credentials, clock);
  ASSERT_TRUE(test::run(agent.process(payload(1, {"arn:task/t1", "arn:task/t2"}), ack)));
  acs::TaskManifestMessage manifest;
  manifest.clusterArn = "default";
  acs::TaskIdentifier listed;
  listed.taskArn = "arn:task/t1";
  listed.desiredStatus = "RUNNING";
  manifest.tasks = std::vector<acs::TaskIdentifier>{listed};
  auto stale = agent.compare_running_tasks_with_manifest(manifest);
  ASSERT_TRUE(stale);
  ASSERT_EQ(stale->size(), 1u);
  EXPECT_EQ(*stale->at(0).taskArn, "arn:task/t2");
}

// The exec manager's persistence goes into the task's container record.
TEST_F(DurableAgentTest, ManagedAgentStateIsSavedWithItsContainer) {
  DurableAgent agent({}, &store, credentials, clock);
  ASSERT_TRUE(test::run(agent.process(payload(1, {"arn:task/t1"}), ack)));
  execcmd::Container c;
  c.name = "app";
  c.runtime_id = "docker-id-1";
  execcmd::ManagedAgent a;
  a.name = "ExecuteCommandAgent";
  a.state.id = "uuid-1";
  a.state.status = execcmd::ManagedAgentStatus::running;
  a.state.metadata =
      execcmd::AgentMetadata{"42", "exec-1", "/ecs-execute-command-uuid-1/amazon-ssm-agent"}.to_map();
  c.managed_agents.push_back(a);
  ASSERT_TRUE(agent.save("arn:task/t1", c));
  auto loaded = store.load();
  ASSERT_TRUE(loaded);
  const auto& record = loaded->tasks.at(0).containers.at(0);
  EXPECT_EQ(record.runtime_id, "docker-id-1");
  EXPECT_EQ(record.managed_agents.at(0).state, a.state);
  EXPECT_FALSE(agent.save("arn:task/unknown", c));
  // A later payload for the task keeps what the agent learned about the container.
  ASSERT_TRUE(test::run(agent.process(payload(2, {"arn:task/t1"}), ack)));
  EXPECT_EQ(agent.state().tasks.at(0).containers.at(0).managed_agents.at(0).state, a.state);
  EXPECT_EQ(agent.state().tasks.at(0).containers.at(0).runtime_id, "docker-id-1");
}

// ---- introspection ------------------------------------------------------------------------------

class IntrospectionTest : public ::testing::Test {
 protected:
  server::Response get(const std::string& target, server::http::verb verb = server::http::verb::get) {
    server::Request r{verb, target, 11};
    return endpoint.answer(r);
  }
  AgentState state;
  server::IntrospectionEndpoint endpoint{[this]() -> const AgentState& { return state; },
                                         "Amazon ECS Agent - v1.0.0 (abc)", "license text"};
};

TEST_F(IntrospectionTest, MetadataHasANullArnUntilRegistered) {
  state.cluster = "default";
  EXPECT_EQ(
      get("/v1/metadata").body(),
      R"j({"Cluster":"default","ContainerInstanceArn":null,"Version":"Amazon ECS Agent - v1.0.0 (abc)"})j");
  state.container_instance_arn = "arn:aws:ecs:us-west-2:1:container-instance/default/x";
  EXPECT_EQ(
      get("/v1/metadata").body(),
      R"({"Cluster":"default","ContainerInstanceArn":"arn:aws:ecs:us-west-2:1:container-instance/default/x",)"
      R"j("Version":"Amazon ECS Agent - v1.0.0 (abc)"})j");
  const auto head = get("/v1/metadata", server::http::verb::head);
  EXPECT_EQ(head.result(), server::http::status::ok);
  EXPECT_EQ(head.body(), "");
  EXPECT_EQ(get("/").body(), R"({"AvailableCommands":["/v1/metadata","/v1/tasks","/license"]})");
  EXPECT_EQ(get("/license").body(), "license text");
}

TEST_F(IntrospectionTest, TasksAllOneByArnOrByDockerId) {
  TaskRecord t;
  t.arn = "arn:task/t1";
  t.family = "web";
  t.version = "2";
  t.desired_status = "RUNNING";
  t.known_status = "RUNNING";
  ContainerRecord c;
  c.name = "app";
  c.runtime_id = "0123456789abcdef0123";
  t.containers.push_back(c);
  state.tasks.push_back(t);
  const std::string one =
      R"({"Arn":"arn:task/t1","DesiredStatus":"RUNNING","KnownStatus":"RUNNING","Family":"web","Version":"2",)"
      R"("Containers":[{"DockerId":"0123456789abcdef0123","DockerName":"app","Name":"app"}]})";
  EXPECT_EQ(get("/v1/tasks").body(), R"({"Tasks":[)" + one + "]}");
  EXPECT_EQ(get("/v1/tasks?taskarn=arn:task/t1").body(), one);
  EXPECT_EQ(get("/v1/tasks?dockerid=0123456789abcdef0123").body(), one);
  EXPECT_EQ(get("/v1/tasks?dockerid=0123456789ab").body(), one);  // 12 characters
  EXPECT_EQ(get("/v1/tasks?dockerid=0123456789abc").result(),
            server::http::status::not_found);  // 13: not short
  EXPECT_EQ(get("/v1/tasks?taskarn=arn:task/none").result(), server::http::status::not_found);
  EXPECT_EQ(get("/v1/tasks?taskarn=a&dockerid=b").result(), server::http::status::bad_request);
  EXPECT_EQ(get("/v2/anything").result(), server::http::status::not_found);
  EXPECT_EQ(get("/v1/tasks", server::http::verb::post).result(), server::http::status::method_not_allowed);
}

}  // namespace
}  // namespace ecs::state
