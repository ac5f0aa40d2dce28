// The LMDB store (state/lmdb_repository) and the record codec (state/codec): every field of a
// task round-trips, records are written one at a time and together, a record that cannot be
// decoded is an error naming its key, an unusable directory is an io error naming the file.
#include "state/lmdb_repository.h"

#include <lmdb.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "state/codec.h"
#include "state/errors.h"
#include "support/temp_dir.h"

namespace ecs::state {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

// A task with every persisted field set to something other than its default.
task::Task full_task(const std::string& arn) {
  task::Task t;
  t.arn = arn;
  t.family = "web";
  t.version = "3";
  t.network_mode = "host";
  t.pid_mode = "task";
  t.ipc_mode = "none";
  t.service_name = "svc";
  t.launch_type = "EC2";
  t.cpu = 0.5;
  t.memory = 512;
  t.desired_status = task::TaskStatus::running;
  t.known_status = task::TaskStatus::running;
  t.sent_status = task::TaskStatus::created;
  t.known_time = system_clock::time_point(1'700'000'000'123'456'789ns);
  t.pull_started_at = system_clock::time_point(1'700'000'001s);
  t.pull_stopped_at = system_clock::time_point(1'700'000'002s);
  t.execution_stopped_at = system_clock::time_point(1'700'000'003s);
  t.credentials_id = "cred-1";
  t.execution_credentials_id = "cred-exec-1";
  t.terminal_reason = "Essential container in task exited";
  task::Container c;
  c.name = "app";
  c.image = "busybox:1.36";
  c.command = std::vector<std::string>{"sleep", "3600"};
  c.entry_point = std::vector<std::string>{};  // empty, not absent
  c.environment = {{"A", "1"}, {"B", ""}};
  c.essential = true;
  c.links = {"db:database"};
  c.cpu = 256;
  c.memory = 128;
  c.ports = {task::PortMapping{8080, 0, "tcp", ""}, task::PortMapping{0, 0, "udp", "9000-9001"}};
  c.mount_points = {task::MountPoint{"data", "/data", true}};
  c.volumes_from = {task::VolumeFrom{"other", false}};
  c.docker_config = {R"({"Labels":{"x":"y"}})", R"({"Privileged":false})", "1.17"};
  c.health_check_type = "docker";
  c.start_timeout = 30;
  c.stop_timeout = 10;
  c.depends_on = {task::DependsOn{"db", "HEALTHY"}};
  task::ManagedAgent agent;
  agent.name = "ExecuteCommandAgent";
  agent.properties = task::StringMap{{"sessionLimit", "2"}};
  agent.state.id = "uuid-1";
  agent.state.status = task::ManagedAgentStatus::running;
  agent.state.last_started_at = system_clock::time_point(1'700'000'000s);
  agent.state.metadata =
      task::AgentMetadata{"42", "exec-1", "/ecs-execute-command-uuid-1/amazon-ssm-agent"}.to_map();
  c.managed_agents = {agent};
  c.registry_authentication = task::RegistryAuthentication{"ecr", "us-west-2", "123", "", true, "", ""};
  c.logs_auth_strategy = "ExecutionRole";
  c.container_arn = "arn:container/1";
  c.v3_endpoint_id = "v3-id";
  c.docker_id = "0123456789abcdef";
  c.docker_name = "ecs-web-3-app-d2a7c8e4f5b6a7c8d9e0";
  c.image_id = "sha256:abc";
  c.image_digest = "sha256:def";
  c.desired_status = task::ContainerStatus::running;
  c.known_status = task::ContainerStatus::running;
  c.sent_status = task::ContainerStatus::running;
  c.known_exit_code = 0;
  c.known_port_bindings = {task::PortBinding{8080, 32768, "0.0.0.0", "tcp"}};
  c.applying_error = task::ApplyingError{"CannotPullContainerError", "no such image"};
  c.created_at = system_clock::time_point(1'700'000'004s);
  c.started_at = system_clock::time_point(1'700'000'005s);
  c.finished_at = system_clock::time_point(1'700'000'006s);
  c.networks = {task::Network{"bridge", "172.17.0.2", ""}};
  c.labels = {{"com.amazonaws.ecs.task-arn", arn}};
  t.containers.push_back(c);
  task::Volume v;
  v.name = "data";
  v.type = "docker";
  v.scope = "shared";
  v.autoprovision = true;
  v.driver = "local";
  v.driver_opts = {{"type", "tmpfs"}};
  v.labels = {{"k", "v"}};
  v.docker_volume_name = "ecs-data";
  v.created = true;
  t.volumes.push_back(v);
  return t;
}

class LmdbRepositoryTest : public ::testing::Test {
 protected:
  std::unique_ptr<LmdbRepository> open() {
    auto r = LmdbRepository::open(dir.path());
    EXPECT_TRUE(r) << r.error().message;
    return r ? std::move(*r) : nullptr;
  }
  test::TempDir dir;
};

TEST(TaskRecordCodec, RoundTripsEveryPersistedField) {
  const task::Task t = full_task("arn:task/t1");
  auto back = decode_task(encode_task(t));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->same_record(t)) << encode_task(*back) << "\n" << encode_task(t);
  EXPECT_EQ(encode_task(*back), encode_task(t));
  EXPECT_FALSE(back->containers[0].command->empty());
  ASSERT_TRUE(back->containers[0].entry_point);  // empty and absent kept apart
  EXPECT_TRUE(back->containers[0].entry_point->empty());
  task::Task plain;
  plain.arn = "arn:task/plain";
  auto plain_back = decode_task(encode_task(plain));
  ASSERT_TRUE(plain_back);
  EXPECT_TRUE(plain_back->same_record(plain));
}

TEST(TaskRecordCodec, ErrorsNameTheMember) {
  auto r = decode_task(R"({"arn":"a","containers":[{"name":7}]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StateErrc::bad_state);
  EXPECT_NE(r.error().message.find("containers[0].name"), std::string::npos) << r.error().message;
  auto status = decode_task(R"({"arn":"a","knownStatus":"DANCING"})");
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("knownStatus"), std::string::npos) << status.error().message;
  EXPECT_FALSE(decode_task("[]"));
  EXPECT_FALSE(decode_task("{"));
  EXPECT_FALSE(decode_instance(R"({"seqNum":"many"})"));
}

TEST_F(LmdbRepositoryTest, AFirstStartIsEmpty) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->empty(), true);
  auto loaded = store->load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->instance, InstanceRecord{});
  EXPECT_TRUE(loaded->tasks.empty());
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/agent.db"));
}

TEST_F(LmdbRepositoryTest, RecordsSurviveAReopen) {
  {
    auto store = open();
    ASSERT_TRUE(store->save_instance({"default", "arn:ci/1", 7, "m-1"}));
    ASSERT_TRUE(store->save_task(full_task("arn:task/t1")));
    ASSERT_TRUE(store->save_task(full_task("arn:task/t2")));
    ASSERT_TRUE(store->save_attachment({"arn:att/1", "task-eni", "ATTACHED", system_clock::time_point(5s)}));
    ASSERT_TRUE(store->remove_task("arn:task/t2"));
    ASSERT_TRUE(store->remove_task("arn:task/never"));  // not an error
    EXPECT_TRUE(store->last_write_ok());
  }
  auto store = open();
  EXPECT_EQ(*store->empty(), false);
  auto loaded = store->load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->instance, (InstanceRecord{"default", "arn:ci/1", 7, "m-1"}));
  ASSERT_EQ(loaded->tasks.size(), 1u);
  EXPECT_TRUE(loaded->tasks[0].same_record(full_task("arn:task/t1")));
  ASSERT_EQ(loaded->attachments.size(), 1u);
  EXPECT_EQ(loaded->attachments[0].expires_at, system_clock::time_point(5s));
}

// Was the first half of DurableAgentTest.ManagedAgentStateIsSavedWithItsContainer: the exec
// manager's state of a container is kept in the task's record.
TEST_F(LmdbRepositoryTest, ManagedAgentStateIsSavedWithItsContainer) {
  auto store = open();
  task::Task t = full_task("arn:task/t1");
  auto& a = t.containers[0].managed_agents[0];
  a.state.status = task::ManagedAgentStatus::stopped;
  a.state.reason = "the agent exited";
  a.state.init_failed = true;
  ASSERT_TRUE(store->save_task(t));
  auto loaded = store->load();
  ASSERT_TRUE(loaded);
  const auto& record = loaded->tasks.at(0).containers.at(0);
  EXPECT_EQ(record.docker_id, "0123456789abcdef");
  EXPECT_EQ(record.managed_agents.at(0).state, a.state);
}

// One commit: what write_together recorded is all there after it returns, nothing before.
TEST_F(LmdbRepositoryTest, WritesTogetherAreOneCommit) {
  auto store = open();
  auto reads_before_commit = std::optional<std::size_t>();
  auto r = store->write_together([&] {
    ASSERT_TRUE(store->save_task(full_task("arn:task/t1")));
    ASSERT_TRUE(store->save_instance({"default", "arn:ci/1", 9, ""}));
    reads_before_commit = store->load()->tasks.size();
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(reads_before_commit, 0u);
  auto loaded = store->load();
  EXPECT_EQ(loaded->tasks.size(), 1u);
  EXPECT_EQ(loaded->instance.seq_num, 9);
}

// Many large records: the map grows instead of failing.
TEST_F(LmdbRepositoryTest, TheMapGrowsWhenFull) {
  auto r = LmdbRepository::open(dir.path(), LmdbOptions{1u << 20, 64u << 20});
  ASSERT_TRUE(r) << r.error().message;
  auto& store = **r;
  task::Task big = full_task("arn:task/big");
  big.containers[0].environment["PAD"] = std::string(200'000, 'x');
  for (int i = 0; i < 20; ++i) {
    big.arn = "arn:task/big-" + std::to_string(i);
    ASSERT_TRUE(store.save_task(big)) << i;
  }
  EXPECT_EQ(store.load()->tasks.size(), 20u);
}

TEST_F(LmdbRepositoryTest, AnUndecodableRecordIsAnErrorNamingItsKey) {
  {
    auto store = open();
    ASSERT_TRUE(store->save_task(full_task("arn:task/t1")));
  }
  // Overwrite the record with something that is not one, through LMDB itself.
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  mdb_env_set_maxdbs(env, 4);
  ASSERT_EQ(mdb_env_open(env, (dir.path() + "/agent.db").c_str(), MDB_NOSUBDIR, 0600), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi dbi;
  ASSERT_EQ(mdb_dbi_open(txn, "tasks", 0, &dbi), 0);
  std::string key = "arn:task/t1", value = R"({"arn":5})";
  MDB_val k{key.size(), key.data()}, v{value.size(), value.data()};
  ASSERT_EQ(mdb_put(txn, dbi, &k, &v, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);

  auto store = open();
  auto loaded = store->load();
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, StateErrc::bad_state);
  EXPECT_NE(loaded.error().message.find("task 'arn:task/t1'"), std::string::npos) << loaded.error().message;
  EXPECT_NE(loaded.error().message.find("agent.db"), std::string::npos) << loaded.error().message;
}

TEST_F(LmdbRepositoryTest, AMissingDirectoryIsAnIoErrorNamingTheFile) {
  auto r = LmdbRepository::open(dir.path() + "/missing/dir");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StateErrc::io);
  EXPECT_NE(r.error().message.find("missing/dir/agent.db"), std::string::npos) << r.error().message;
}

TEST_F(LmdbRepositoryTest, AFileThatIsNotAStoreIsAnError) {
  { std::ofstream(dir.path() + "/agent.db") << std::string(8192, 'z'); }
  auto r = LmdbRepository::open(dir.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StateErrc::io);
  EXPECT_NE(r.error().message.find("agent.db"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace ecs::state
