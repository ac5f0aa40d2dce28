// The payload intake (src/handlers/payload_handler) over the engine's stand-in and the real LMDB
// store: acknowledged only after every task is persisted, credentials in memory only, tasks
// desired STOPPED handed over first, conversion failures and refused features.
#include "handlers/payload_handler.h"

#include <gtest/gtest.h>

#include "engine/task_recorder.h"
#include "handlers/sequence_number.h"
#include "state/codec.h"
#include "state/lmdb_repository.h"
#include "support/memory_repository.h"
#include "support/payloads.h"
#include "support/run.h"
#include "support/temp_dir.h"

namespace ecs::handlers {
namespace {

class PayloadIntakeTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  credentials::InMemoryCredentialsStore credentials;
  int acks = 0;
  acs::AckFunction ack = [this](const acs::AckRequest&,
                                const std::vector<acs::IAMRoleCredentialsAckRequest>&) { ++acks; };
};

// Was DurableAgentTest.APayloadIsCommittedBeforeItIsAcked.
TEST_F(PayloadIntakeTest, APayloadIsCommittedBeforeItIsAcked) {
  auto store = state::LmdbRepository::open(dir.path());
  ASSERT_TRUE(store) << store.error().message;
  state::InstanceStore instance({}, **store);
  engine::TaskRecorder engine({}, **store, credentials);
  SequenceNumberStore sequence(instance);
  PayloadIntake intake(engine, credentials, sequence, **store);
  bool saved_when_acked = false;
  acs::AckFunction check = [&](const acs::AckRequest&,
                               const std::vector<acs::IAMRoleCredentialsAckRequest>& c) {
    // The same environment reads what is committed (a second one in one process is not allowed).
    auto on_disk = (*store)->load();
    saved_when_acked = on_disk && on_disk->tasks.size() == 2 && on_disk->instance.seq_num == 7;
    EXPECT_EQ(c.size(), 2u);
  };
  auto r = test::run(intake.process(test::payload(7, {"arn:task/t1", "arn:task/t2"}), check));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(saved_when_acked);

  auto loaded = (*store)->load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->tasks.size(), 2u);
  EXPECT_EQ(loaded->tasks[0].credentials_id, "cred-t1");
  EXPECT_EQ(loaded->tasks[0].desired_status, task::TaskStatus::running);
  ASSERT_EQ(loaded->tasks[0].containers.size(), 1u);
  EXPECT_EQ(loaded->tasks[0].containers[0].managed_agents.at(0).name, "ExecuteCommandAgent");
  // The secrets are in memory only.
  EXPECT_TRUE(credentials.get_task_credentials("cred-t1"));
  for (const auto& t : loaded->tasks) {
    const std::string record = state::encode_task(t);
    EXPECT_EQ(record.find("secret-of"), std::string::npos);
    EXPECT_EQ(record.find("token-of"), std::string::npos);
  }
}

// Was DurableAgentTest.NoAckWhenTheStateCannotBeSaved.
TEST_F(PayloadIntakeTest, NoAckWhenTheStateCannotBeSaved) {
  test::MemoryRepository store;
  store.fail_writes = true;
  state::InstanceStore instance({}, store);
  engine::TaskRecorder engine({}, store, credentials);
  SequenceNumberStore sequence(instance);
  PayloadIntake intake(engine, credentials, sequence, store);
  auto r = test::run(intake.process(test::payload(1, {"arn:task/t1"}), ack));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, state::StateErrc::io);
  EXPECT_EQ(acks, 0);
}

// A payload lists its tasks desired STOPPED before those desired RUNNING (task-engine.md §7.1).
TEST_F(PayloadIntakeTest, StoppedTasksAreHandedOverFirst) {
  class Order : public engine::TaskRecorder {
   public:
    using TaskRecorder::TaskRecorder;
    Result<void> add_task(task::Task t) override {
      order.push_back(t.arn);
      return TaskRecorder::add_task(std::move(t));
    }
    std::vector<std::string> order;
  };
  test::MemoryRepository store;
  state::InstanceStore instance({}, store);
  Order engine({}, store, credentials);
  SequenceNumberStore sequence(instance);
  PayloadIntake intake(engine, credentials, sequence, store);
  auto m = test::payload(1, {"arn:task/r1", "arn:task/s1", "arn:task/r2"});
  (*m.tasks)[1].desiredStatus = "STOPPED";
  ASSERT_TRUE(test::run(intake.process(m, ack)));
  EXPECT_EQ(engine.order, (std::vector<std::string>{"arn:task/s1", "arn:task/r1", "arn:task/r2"}));
  EXPECT_EQ(acks, 1);
}

// A task that cannot be converted is reported STOPPED with the reference's reason and keeps the
// payload unacknowledged; the others are still added.
TEST_F(PayloadIntakeTest, AnUnconvertibleTaskIsReportedAndThePayloadIsNotAcked) {
  class Reports : public engine::TaskRecorder {
   public:
    using TaskRecorder::TaskRecorder;
    void report_unrecognized_task(const std::string& arn, std::string reason) override {
      reported.emplace_back(arn, std::move(reason));
    }
    std::vector<std::pair<std::string, std::string>> reported;
  };
  test::MemoryRepository store;
  state::InstanceStore instance({}, store);
  Reports engine({}, store, credentials);
  SequenceNumberStore sequence(instance);
  PayloadIntake intake(engine, credentials, sequence, store);
  auto m = test::payload(1, {"arn:task/bad", "arn:task/good"});
  acs::PortMapping sctp;
  sctp.containerPort = 80;
  sctp.protocol = "sctp";
  (*m.tasks)[0].containers->at(0).portMappings = std::vector<acs::PortMapping>{sctp};
  auto r = test::run(intake.process(m, ack));
  EXPECT_FALSE(r);
  EXPECT_EQ(acks, 0);
  ASSERT_EQ(engine.reported.size(), 1u);
  EXPECT_EQ(engine.reported[0].first, "arn:task/bad");
  EXPECT_EQ(
      engine.reported[0].second,
      "UnrecogniedTaskError: Error loading task - containers[0].portMappings[0].protocol: \"sctp\" is not "
      "tcp or udp");
  EXPECT_NE(engine.find_task("arn:task/good"), nullptr);
  EXPECT_EQ(engine.find_task("arn:task/bad"), nullptr);
}

// A feature this agent does not run: the task is added desired STOPPED with a clear reason, and
// the payload is acknowledged (the task was handled).
TEST_F(PayloadIntakeTest, AnUnsupportedFeatureIsRefusedWithAReason) {
  test::MemoryRepository store;
  state::InstanceStore instance({}, store);
  engine::TaskRecorder engine({}, store, credentials);
  SequenceNumberStore sequence(instance);
  PayloadIntake intake(engine, credentials, sequence, store);
  auto m = test::payload(1, {"arn:task/vpc"});
  (*m.tasks)[0].networkMode = "awsvpc";
  ASSERT_TRUE(test::run(intake.process(m, ack)));
  EXPECT_EQ(acks, 1);
  const task::Task* t = engine.find_task("arn:task/vpc");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->desired_status, task::TaskStatus::stopped);
  EXPECT_EQ(t->terminal_reason,
            "UnsupportedFeatureError: this agent does not run tasks with the awsvpc network mode");
}

}  // namespace
}  // namespace ecs::handlers
