// The checkpoint of agents before the LMDB store and the agent state in it: every corruption is
// detected and the previous generation used; the state round-trips exactly; such a state is
// imported into the LMDB store once, in one commit.
#include "state/legacy_checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/file.h"
#include "core/log.h"
#include "state/errors.h"
#include "state/lmdb_repository.h"
#include "support/temp_dir.h"

namespace ecs::state::legacy {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

void write_bytes(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(CheckpointFormat, RoundTrips) {
  const std::string payload(10000, 'x');
  const std::string bytes = encode_checkpoint(7, payload);
  EXPECT_LT(bytes.size(), payload.size());  // compressed
  auto c = decode_checkpoint(bytes, "f");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->generation, 7u);
  EXPECT_EQ(c->payload, payload);
  auto empty = decode_checkpoint(encode_checkpoint(1, ""), "f");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->payload, "");
}

TEST(CheckpointFormat, EveryTruncationIsDetected) {
  const std::string bytes = encode_checkpoint(3, "{\"cluster\":\"default\",\"seqNum\":42}");
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto c = decode_checkpoint(std::string_view(bytes).substr(0, n), "f");
    ASSERT_FALSE(c) << n;
    EXPECT_EQ(c.error().code, StateErrc::corrupt);
  }
  auto longer = decode_checkpoint(bytes + "x", "f");
  EXPECT_FALSE(longer);
}

TEST(CheckpointFormat, EveryFlippedByteIsDetected) {
  const std::string bytes = encode_checkpoint(3, "{\"cluster\":\"default\",\"seqNum\":42}");
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string altered = bytes;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    auto c = decode_checkpoint(altered, "f");
    ASSERT_FALSE(c) << i;
    EXPECT_EQ(c.error().code, StateErrc::corrupt);
    EXPECT_NE(c.error().message.find("'f' is not a valid checkpoint: "), std::string::npos)
        << c.error().message;
  }
}

class CheckpointFileTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  CheckpointFile file{dir.path()};
};

TEST_F(CheckpointFileTest, FirstStartHasNoState) {
  auto loaded = file.load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_FALSE(*loaded);
}

TEST_F(CheckpointFileTest, SavesGenerationsAndKeepsThePreviousOne) {
  ASSERT_TRUE(file.load());
  EXPECT_EQ(*file.save("one"), 1u);
  EXPECT_EQ(*file.save("two"), 2u);
  EXPECT_EQ(decode_checkpoint(*read_file(file.current_path()), "c")->payload, "two");
  EXPECT_EQ(decode_checkpoint(*read_file(file.previous_path()), "p")->payload, "one");
  EXPECT_FALSE(fs::exists(file.temporary_path()));
  CheckpointFile again(dir.path());
  auto loaded = again.load();
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->payload, "two");
  EXPECT_EQ(*again.save("three"), 3u);  // generations go on after a restart
}

TEST_F(CheckpointFileTest, CorruptCurrentFallsBackToThePreviousGenerationWithALogLine) {
  ASSERT_TRUE(file.save("one"));
  ASSERT_TRUE(file.save("two"));
  const std::string bytes = *read_file(file.current_path());
  write_bytes(file.current_path(), bytes.substr(0, bytes.size() / 2));  // torn write
  log::ScopedCapture capture(log::Level::warn);
  CheckpointFile again(dir.path());
  auto loaded = again.load();
  ASSERT_TRUE(loaded && *loaded) << (loaded ? "" : loaded.error().message);
  EXPECT_EQ((*loaded)->payload, "one");
  const std::string logs = capture.sink().text();
  EXPECT_NE(logs.find("state checkpoint unusable"), std::string::npos) << logs;
  EXPECT_NE(logs.find("truncated"), std::string::npos) << logs;
  EXPECT_NE(logs.find("using the previous state generation"), std::string::npos) << logs;
}

// A crash between the two renames leaves only the previous name: it is the newest committed.
TEST_F(CheckpointFileTest, MissingCurrentMeansThePreviousIsTheNewest) {
  ASSERT_TRUE(file.save("one"));
  ASSERT_TRUE(file.save("two"));
  fs::rename(file.current_path(), file.previous_path());
  write_bytes(file.temporary_path(), "half a new generation");
  CheckpointFile again(dir.path());
  auto loaded = again.load();
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->payload, "two");
  EXPECT_FALSE(fs::exists(file.temporary_path()));  // the uncommitted write is dropped
}

TEST_F(CheckpointFileTest, BothGenerationsCorruptIsAnErrorNamingBoth) {
  write_bytes(file.current_path(), "garbage");
  write_bytes(file.previous_path(), "more garbage");
  auto loaded = file.load();
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, StateErrc::corrupt);
  EXPECT_NE(loaded.error().message.find(file.current_path()), std::string::npos) << loaded.error().message;
  EXPECT_NE(loaded.error().message.find(file.previous_path()), std::string::npos) << loaded.error().message;
}

TEST_F(CheckpointFileTest, AnUnwritableDirectoryIsAnIoError) {
  CheckpointFile nowhere(dir.path() + "/missing/dir");
  auto saved = nowhere.save("x");
  ASSERT_FALSE(saved);
  EXPECT_EQ(saved.error().code, StateErrc::io);
  EXPECT_NE(saved.error().message.find("missing/dir"), std::string::npos) << saved.error().message;
}

AgentState sample_state() {
  AgentState s;
  s.cluster = "default";
  s.container_instance_arn = "arn:aws:ecs:us-west-2:123456789012:container-instance/default/abc";
  s.seq_num = 42;
  s.manifest_message_id = "mid-1";
  TaskRecord t;
  t.arn = "arn:aws:ecs:us-west-2:123456789012:task/default/t1";
  t.family = "web";
  t.version = "3";
  t.desired_status = "RUNNING";
  t.known_status = "RUNNING";
  t.credentials_id = "cred-id-1";
  ContainerRecord c;
  c.name = "app";
  c.runtime_id = "0123abcd";
  c.known_status = "RUNNING";
  task::ManagedAgent agent;
  agent.name = "ExecuteCommandAgent";
  agent.properties = task::StringMap{{"sessionLimit", "2"}};
  agent.state.id = "uuid-1";
  agent.state.status = task::ManagedAgentStatus::running;
  agent.state.last_started_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  agent.state.metadata =
      task::AgentMetadata{"4242", "exec-1", "/ecs-execute-command-uuid-1/amazon-ssm-agent"}.to_map();
  c.managed_agents.push_back(agent);
  t.containers.push_back(c);
  s.tasks.push_back(t);
  AttachmentRecord a;
  a.arn = "arn:aws:ecs:us-west-2:123456789012:attachment/eni-1";
  a.type = "eni";
  a.status = "ATTACHED";
  a.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'600));
  s.attachments.push_back(a);
  return s;
}

TEST(AgentStateCodec, RoundTripsEverything) {
  const AgentState s = sample_state();
  auto back = decode_state(encode_state(s));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, s);
  EXPECT_EQ(encode_state(s).find("SecretAccessKey"), std::string::npos);
}

TEST(AgentStateCodec, ErrorsNameTheMember) {
  auto r = decode_state(R"({"tasks":[{"arn":"a","containers":[{"name":7}]}]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StateErrc::bad_state);
  EXPECT_EQ(r.error().message, "state: tasks[0].containers[0].name is not a string");
  auto seq = decode_state(R"({"seqNum":"many"})");
  ASSERT_FALSE(seq);
  EXPECT_EQ(seq.error().message, "state: seqNum is not an integer");
  auto agent = decode_state(R"({"tasks":[{"containers":[{"managedAgents":[{"status":"DANCING"}]}]}]})");
  ASSERT_FALSE(agent);
  EXPECT_NE(agent.error().message.find("tasks[0].containers[0].managedAgents[0]"), std::string::npos)
      << agent.error().message;
  EXPECT_FALSE(decode_state("[]"));
  EXPECT_FALSE(decode_state("{"));
}

TEST(StateStoreTest, SavesAndLoads) {
  test::TempDir dir;
  StateStore store(dir.path());
  auto first = store.load();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, AgentState{});
  ASSERT_TRUE(store.save(sample_state()));
  StateStore again(dir.path());
  auto loaded = again.load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(*loaded, sample_state());
}

// An agent upgraded from the checkpoint file keeps its registration and its tasks: imported
// into agent.db once, the old files renamed *.imported.
TEST(LegacyImport, TheCheckpointIsImportedOnceIntoTheStore) {
  test::TempDir dir;
  ASSERT_TRUE(StateStore(dir.path()).save(sample_state()));
  auto store = LmdbRepository::open(dir.path());
  ASSERT_TRUE(store) << store.error().message;
  auto imported = import_legacy_state(dir.path(), **store);
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_TRUE(*imported);
  auto loaded = (*store)->load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->instance,
            (InstanceRecord{"default", sample_state().container_instance_arn, 42, "mid-1"}));
  ASSERT_EQ(loaded->tasks.size(), 1u);
  const task::Task& t = loaded->tasks[0];
  EXPECT_EQ(t.arn, "arn:aws:ecs:us-west-2:123456789012:task/default/t1");
  EXPECT_EQ(t.desired_status, task::TaskStatus::running);
  EXPECT_EQ(t.known_status, task::TaskStatus::running);
  EXPECT_EQ(t.credentials_id, "cred-id-1");
  ASSERT_EQ(t.containers.size(), 1u);
  EXPECT_EQ(t.containers[0].docker_id, "0123abcd");
  EXPECT_EQ(t.containers[0].known_status, task::ContainerStatus::running);
  EXPECT_EQ(t.containers[0].managed_agents, sample_state().tasks[0].containers[0].managed_agents);
  ASSERT_EQ(loaded->attachments.size(), 1u);
  EXPECT_EQ(loaded->attachments[0].expires_at, sample_state().attachments[0].expires_at);
  EXPECT_TRUE(fs::exists(StateStore(dir.path()).file().current_path() + ".imported"));
  auto again = import_legacy_state(dir.path(), **store);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);  // read once
}

TEST(LegacyImport, ACorruptCheckpointStopsTheImportWithItsError) {
  test::TempDir dir;
  StateStore legacy(dir.path());
  write_bytes(legacy.file().current_path(), "garbage");
  auto store = LmdbRepository::open(dir.path());
  ASSERT_TRUE(store);
  auto imported = import_legacy_state(dir.path(), **store);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, StateErrc::corrupt);
  EXPECT_TRUE(fs::exists(legacy.file().current_path()));  // kept for the operator
}

}  // namespace
}  // namespace ecs::state::legacy
