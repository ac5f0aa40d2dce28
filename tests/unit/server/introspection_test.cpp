// The introspection API (server/introspection) over the engine's tasks and the instance record.
// Was IntrospectionTest in tests/unit/runtime_state_test.cpp; the task's container now carries
// the name Docker knows it by (DockerName), its image and image id, as the reference's.
#include "server/introspection.h"

#include <gtest/gtest.h>

#include "credentials/store.h"
#include "engine/task_recorder.h"
#include "support/memory_repository.h"

namespace ecs::server {
namespace {

class IntrospectionTest : public ::testing::Test {
 protected:
  Response get(const std::string& target, http::verb verb = http::verb::get) {
    Request r{verb, target, 11};
    return endpoint.answer(r);
  }
  test::MemoryRepository repository;
  credentials::InMemoryCredentialsStore credentials;
  state::InstanceStore instance{{}, repository};
  engine::TaskRecorder engine{{}, repository, credentials};
  IntrospectionEndpoint endpoint{engine, instance, "Amazon ECS Agent - v1.0.0 (abc)", "license text"};
};

TEST_F(IntrospectionTest, MetadataHasANullArnUntilRegistered) {
  ASSERT_TRUE(instance.set_registration("default", ""));
  EXPECT_EQ(
      get("/v1/metadata").body(),
      R"j({"Cluster":"default","ContainerInstanceArn":null,"Version":"Amazon ECS Agent - v1.0.0 (abc)"})j");
  ASSERT_TRUE(instance.set_registration("default", "arn:aws:ecs:us-west-2:1:container-instance/default/x"));
  EXPECT_EQ(
      get("/v1/metadata").body(),
      R"({"Cluster":"default","ContainerInstanceArn":"arn:aws:ecs:us-west-2:1:container-instance/default/x",)"
      R"j("Version":"Amazon ECS Agent - v1.0.0 (abc)"})j");
  const auto head = get("/v1/metadata", http::verb::head);
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_EQ(head.body(), "");
  EXPECT_EQ(get("/").body(), R"({"AvailableCommands":["/v1/metadata","/v1/tasks","/license"]})");
  EXPECT_EQ(get("/license").body(), "license text");
}

TEST_F(IntrospectionTest, TasksAllOneByArnOrByDockerId) {
  task::Task t;
  t.arn = "arn:task/t1";
  t.family = "web";
  t.version = "2";
  t.desired_status = task::TaskStatus::running;
  t.known_status = task::TaskStatus::running;
  task::Container c;
  c.name = "app";
  c.image = "busybox";
  c.image_id = "sha256:1";
  c.docker_id = "0123456789abcdef0123";
  c.docker_name = "ecs-web-2-app-a1b2c3";
  t.containers.push_back(c);
  ASSERT_TRUE(engine.add_task(t));
  const std::string one =
      R"({"Arn":"arn:task/t1","DesiredStatus":"RUNNING","KnownStatus":"RUNNING","Family":"web","Version":"2",)"
      R"("Containers":[{"DockerId":"0123456789abcdef0123","DockerName":"ecs-web-2-app-a1b2c3","Name":"app",)"
      R"("Image":"busybox","ImageID":"sha256:1"}]})";
  EXPECT_EQ(get("/v1/tasks").body(), R"({"Tasks":[)" + one + "]}");
  EXPECT_EQ(get("/v1/tasks?taskarn=arn:task/t1").body(), one);
  EXPECT_EQ(get("/v1/tasks?dockerid=0123456789abcdef0123").body(), one);
  EXPECT_EQ(get("/v1/tasks?dockerid=0123456789ab").body(), one);                         // 12 characters
  EXPECT_EQ(get("/v1/tasks?dockerid=0123456789abc").result(), http::status::not_found);  // 13: not short
  EXPECT_EQ(get("/v1/tasks?taskarn=arn:task/none").result(), http::status::not_found);
  EXPECT_EQ(get("/v1/tasks?taskarn=a&dockerid=b").result(), http::status::bad_request);
  EXPECT_EQ(get("/v2/anything").result(), http::status::not_found);
  EXPECT_EQ(get("/v1/tasks", http::verb::post).result(), http::status::method_not_allowed);
}

TEST_F(IntrospectionTest, PortsNetworksAndTimesWhenKnown) {
  task::Task t;
  t.arn = "arn:task/t2";
  t.desired_status = task::TaskStatus::running;
  task::Container c;
  c.name = "web";
  c.created_at = task::TimePoint(std::chrono::seconds(1'700'000'000));
  c.known_port_bindings = {task::PortBinding{80, 32768, "0.0.0.0", "tcp"}};
  c.networks = {task::Network{"bridge", "172.17.0.2", ""}};
  t.containers.push_back(c);
  ASSERT_TRUE(engine.add_task(t));
  const std::string body = get("/v1/tasks?taskarn=arn:task/t2").body();
  EXPECT_NE(body.find(R"("CreatedAt":"2023-11-14T22:13:20Z")"), std::string::npos) << body;
  EXPECT_EQ(body.find("StartedAt"), std::string::npos) << body;
  EXPECT_NE(
      body.find(R"("Ports":[{"ContainerPort":80,"Protocol":"tcp","HostPort":32768,"HostIp":"0.0.0.0"}])"),
      std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("Networks":[{"NetworkMode":"bridge","IPv4Addresses":["172.17.0.2"]}])"),
            std::string::npos)
      << body;
}

}  // namespace
}  // namespace ecs::server
