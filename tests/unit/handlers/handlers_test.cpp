// The ACS collaborators of src/handlers over the engine's stand-in (engine/task_recorder) and the
// LMDB store: what a restart keeps, what a stop removes, attachments until they expire, the
// manifest comparison, and what the agent learned about a container surviving a later payload.
#include <gtest/gtest.h>

#include "engine/task_recorder.h"
#include "handlers/agent_handlers.h"
#include "state/lmdb_repository.h"
#include "support/memory_repository.h"
#include "support/payloads.h"
#include "support/run.h"
#include "support/temp_dir.h"

namespace ecs::handlers {
namespace {

using namespace std::chrono_literals;

// One agent's worth of collaborators over a repository, as src/app/agent.cpp wires them.
struct Agent {
  Agent(state::Repository& repository, state::SavedState saved, credentials::CredentialsStore& credentials,
        const Clock& clock)
      : instance(saved.instance, repository),
        engine(std::move(saved.tasks), repository, credentials),
        attachments(std::move(saved.attachments), repository, clock),
        handlers(engine, credentials, instance, repository, attachments) {}
  state::InstanceStore instance;
  engine::TaskRecorder engine;
  AttachmentRegistry attachments;
  AgentHandlers handlers;
};

class HandlersTest : public ::testing::Test {
 protected:
  std::unique_ptr<state::LmdbRepository> open() {
    auto r = state::LmdbRepository::open(dir.path());
    EXPECT_TRUE(r) << r.error().message;
    return r ? std::move(*r) : nullptr;
  }
  test::TempDir dir;
  credentials::InMemoryCredentialsStore credentials;
  ManualClock clock;
  acs::AckFunction ack = [](const acs::AckRequest&, const std::vector<acs::IAMRoleCredentialsAckRequest>&) {};
};

// Was DurableAgentTest.RestartKeepsTasksSequenceManifestAndCredentialIds.
TEST_F(HandlersTest, RestartKeepsTasksSequenceManifestAndCredentialIds) {
  {
    auto store = open();
    Agent agent(*store, {}, credentials, clock);
    ASSERT_TRUE(test::run(agent.handlers.payload().process(test::payload(3, {"arn:task/t1"}), ack)));
    ASSERT_TRUE(agent.handlers.manifest_id().set("manifest-9"));
    ASSERT_TRUE(agent.instance.set_registration("default", "arn:ci/1"));
  }
  credentials::InMemoryCredentialsStore fresh;  // credentials are gone with the process
  auto store = open();
  auto loaded = store->load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  Agent again(*store, std::move(*loaded), fresh, clock);
  EXPECT_EQ(again.handlers.sequence().latest(), 3);
  EXPECT_EQ(again.handlers.manifest_id().get(), "manifest-9");
  EXPECT_EQ(again.instance.record().container_instance_arn, "arn:ci/1");
  EXPECT_EQ(again.instance.record().cluster, "default");
  EXPECT_TRUE(engine::knows_credentials_id(again.engine, "cred-t1"));  // the endpoint answers 503, not 400
  EXPECT_FALSE(engine::knows_credentials_id(again.engine, "cred-zz"));
  EXPECT_FALSE(fresh.get_task_credentials("cred-t1"));
}

// Was DurableAgentTest.StoppingATaskRemovesItsCredentials.
TEST_F(HandlersTest, StoppingATaskRemovesItsCredentials) {
  auto store = open();
  Agent agent(*store, {}, credentials, clock);
  ASSERT_TRUE(test::run(agent.handlers.payload().process(test::payload(1, {"arn:task/t1"}), ack)));
  ASSERT_TRUE(credentials.get_task_credentials("cred-t1"));
  EngineTaskStopper stopper(agent.engine);
  ASSERT_TRUE(stopper.stop_task("arn:task/t1"));
  EXPECT_FALSE(credentials.get_task_credentials("cred-t1"));
  EXPECT_EQ(store->load()->tasks.at(0).desired_status, task::TaskStatus::stopped);
  EXPECT_TRUE(stopper.stop_task("arn:task/unknown"));  // ignored
}

// Was DurableAgentTest.AttachmentsAreKeptUntilTheyExpire.
TEST_F(HandlersTest, AttachmentsAreKeptUntilTheyExpire) {
  auto store = open();
  Agent agent(*store, {}, credentials, clock);
  acs::EniAttachment eni;
  eni.attachment_arn = "arn:attachment/eni-1";
  eni.attachment_type = "task-eni";
  eni.expires_at = clock.now() + 10min;
  ASSERT_TRUE(agent.attachments.handle_eni_attachment(eni));
  EXPECT_EQ(store->load()->attachments.size(), 1u);
  clock.advance(5min);
  ASSERT_TRUE(agent.attachments.expire());
  EXPECT_EQ(agent.attachments.attachments().size(), 1u);
  clock.advance(6min);
  ASSERT_TRUE(agent.attachments.expire());
  EXPECT_TRUE(agent.attachments.attachments().empty());
  EXPECT_TRUE(store->load()->attachments.empty());
}

// Was DurableAgentTest.ManifestComparisonListsRunningTasksNotInTheManifest.
TEST_F(HandlersTest, ManifestComparisonListsRunningTasksNotInTheManifest) {
  test::MemoryRepository store;
  Agent agent(store, {}, credentials, clock);
  ASSERT_TRUE(
      test::run(agent.handlers.payload().process(test::payload(1, {"arn:task/t1", "arn:task/t2"}), ack)));
  acs::TaskManifestMessage manifest;
  manifest.clusterArn = "default";
  acs::TaskIdentifier listed;
  listed.taskArn = "arn:task/t1";
  listed.desiredStatus = "RUNNING";
  manifest.tasks = std::vector<acs::TaskIdentifier>{listed};
  ManifestComparer comparer(agent.engine);
  auto stale = comparer.compare_running_tasks_with_manifest(manifest);
  ASSERT_TRUE(stale);
  ASSERT_EQ(stale->size(), 1u);
  EXPECT_EQ(*stale->at(0).taskArn, "arn:task/t2");
}

// Was the second half of DurableAgentTest.ManagedAgentStateIsSavedWithItsContainer (its first
// half is LmdbRepositoryTest.ManagedAgentStateIsSavedWithItsContainer): a later payload for a
// task keeps what the agent learned about its containers.
TEST_F(HandlersTest, ALaterPayloadKeepsWhatTheAgentLearnedAboutAContainer) {
  test::MemoryRepository store;
  Agent agent(store, {}, credentials, clock);
  ASSERT_TRUE(test::run(agent.handlers.payload().process(test::payload(1, {"arn:task/t1"}), ack)));
  task::Task learned = *agent.engine.find_task("arn:task/t1");
  learned.containers.at(0).docker_id = "docker-id-1";
  learned.containers.at(0).managed_agents.at(0).state.id = "uuid-1";
  learned.containers.at(0).managed_agents.at(0).state.status = task::ManagedAgentStatus::running;
  ASSERT_TRUE(store.save_task(learned));

  auto saved = store.load();
  Agent restarted(store, std::move(*saved), credentials, clock);
  ASSERT_TRUE(test::run(restarted.handlers.payload().process(test::payload(2, {"arn:task/t1"}), ack)));
  const task::Container& c = restarted.engine.find_task("arn:task/t1")->containers.at(0);
  EXPECT_EQ(c.docker_id, "docker-id-1");
  EXPECT_EQ(c.managed_agents.at(0).state, learned.containers.at(0).managed_agents.at(0).state);
  EXPECT_EQ(store.tasks.at("arn:task/t1").containers.at(0).docker_id, "docker-id-1");
}

// Credentials refreshes name the task; an unknown task is an error the responder reports.
TEST_F(HandlersTest, CredentialsRefreshRecordsTheIdOnTheTask) {
  test::MemoryRepository store;
  Agent agent(store, {}, credentials, clock);
  ASSERT_TRUE(test::run(agent.handlers.payload().process(test::payload(1, {"arn:task/t1"}), ack)));
  TaskCredentialsMetadata metadata(agent.engine);
  acs::IAMRoleCredentialsMessage m;
  m.taskArn = "arn:task/t1";
  m.roleCredentials = test::role("cred-new");
  ASSERT_TRUE(metadata.set_task_role_credentials(m));
  EXPECT_EQ(store.tasks.at("arn:task/t1").credentials_id, "cred-new");
  m.roleCredentials = test::role("cred-exec");
  ASSERT_TRUE(metadata.set_execution_role_credentials(m));
  EXPECT_EQ(store.tasks.at("arn:task/t1").execution_credentials_id, "cred-exec");
  m.taskArn = "arn:task/none";
  EXPECT_FALSE(metadata.set_task_role_credentials(m));
}

}  // namespace
}  // namespace ecs::handlers
