// State changes to ECS, as the reference's eventhandler.TaskHandler (task-engine.md §6.1, §6.5):
//
//  * container and managed-agent changes wait in their task's batch; a task change takes the
//    batch with it and joins the task's FIFO send queue;
//  * the drain (every 10–30 s) gives each task with a batch whose live known status is below
//    STOPPED a change with its current status (a STOPPED task's batch rides on its STOPPED change);
//  * one sender per task, at most 10 tasks sending at once; the head of a queue is sent only if
//    it still needs sending against the live task (needs_sending), and after ECS accepted it the
//    sent statuses are raised and the task persisted; any error but InvalidParameterException
//    retries the same head for ever (backoff 1 s ×1.3 up to 30 s, 20 % jitter), an
//    InvalidParameterException drops it. So ECS sees a task PENDING → RUNNING → STOPPED, never
//    a regression, and a restart re-sends what was not accepted (the sent statuses are persisted).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/async_event.h"
#include "core/clock.h"
#include "events/state_change.h"

namespace ecs::events {

// The engine's live tasks, as the sender sees them.
class TaskStateSource {
 public:
  virtual ~TaskStateSource() = default;
  // The live task; nullptr when the engine no longer knows it.
  virtual task::Task* live_task(const std::string& task_arn) = 0;
  virtual void persist_task(const std::string& task_arn) = 0;
};

class StateChangeSubmitter {
 public:
  virtual ~StateChangeSubmitter() = default;
  virtual asio::awaitable<Result<void>> submit(const TaskStateChange& change) = 0;
};

// SubmitTaskStateChange through the ECS API client.
class EcsSubmitter : public StateChangeSubmitter {
 public:
  EcsSubmitter(aws::EcsClient& ecs, std::string cluster) : ecs_(ecs), cluster_(std::move(cluster)) {}
  asio::awaitable<Result<void>> submit(const TaskStateChange& change) override;

 private:
  aws::EcsClient& ecs_;
  std::string cluster_;
};

struct TaskHandlerOptions {
  std::chrono::nanoseconds drain_min = std::chrono::seconds(10);
  std::chrono::nanoseconds drain_max = std::chrono::seconds(30);
  std::chrono::nanoseconds backoff_min = std::chrono::seconds(1);
  std::chrono::nanoseconds backoff_max = std::chrono::seconds(30);
  double backoff_multiplier = 1.3;
  double backoff_jitter = 0.2;
  std::size_t max_concurrent = 10;
};

class TaskHandler : public StateChangeSink {
 public:
  TaskHandler(asio::any_io_executor executor, StateChangeSubmitter& submitter, TaskStateSource& source,
              Clock& clock, Jitter& jitter, TaskHandlerOptions options = {});
  ~TaskHandler() override;

  void container_changed(ContainerStateChange change) override;
  void managed_agent_changed(ManagedAgentStateChange change) override;
  void task_changed(TaskStateChange change) override;

  // One drain pass (the ticker calls it): the synthetic changes are queued.
  void drain();
  // The drain every drain_min + U[0, drain_max - drain_min) until `stop`.
  asio::awaitable<void> run_drain_ticker(StopToken stop);
  // Ends the senders (their waits end at once); queued changes stay unsent, as their sent
  // statuses say.
  void stop();

  // The pieces, for tests and for the drain.
  // Moves the task's batch into `change`.
  void attach_pending(TaskStateChange& change);
  // The synthetic changes of a drain pass, without queueing them.
  std::vector<TaskStateChange> drain_changes();
  std::size_t pending(const std::string& task_arn) const;  // batched, not yet in a queue
  std::size_t queued(const std::string& task_arn) const;   // in the send queue (incl. the one in flight)
  std::size_t sending() const { return sending_; }
  // Completes when no queue holds a change (or the handler stopped).
  asio::awaitable<void> idle();

 private:
  struct Batch {
    std::vector<ContainerStateChange> containers;
    std::vector<ManagedAgentStateChange> managed_agents;
  };
  struct Queue {
    std::deque<TaskStateChange> changes;
    bool running = false;
  };
  void enqueue(TaskStateChange change);
  asio::awaitable<void> send_queue(std::string task_arn);
  asio::awaitable<bool> acquire_slot();
  void release_slot();
  void notify();

  asio::any_io_executor executor_;
  StateChangeSubmitter& submitter_;
  TaskStateSource& source_;
  Clock& clock_;
  Jitter& jitter_;
  TaskHandlerOptions options_;
  StopSource stop_;
  std::map<std::string, Batch> batches_;
  std::map<std::string, Queue> queues_;
  std::size_t sending_ = 0;
  std::shared_ptr<AsyncEvent> changed_;  // set (and replaced) whenever a slot frees or a queue ends
  std::shared_ptr<bool> alive_;
};

}  // namespace ecs::events
