// What the rest of the agent sees of the task engine (task-engine.md §0, §1.4): the ACS handlers
// add tasks and change their desired status, the endpoints read them. The engine owns the live
// tasks; pointers it returns are valid until the next call that changes its set of tasks (one io
// thread: do not hold them across a co_await).
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "task/task.h"

namespace ecs::engine {

class TaskEngine {
 public:
  virtual ~TaskEngine() = default;
  // A task from a PayloadMessage. An ARN not seen before is added (persisted before this returns)
  // and started; for a known ARN only a higher desired status is taken, every other field of the
  // re-sent task is ignored (§1.4).
  virtual Result<void> add_task(task::Task task) = 0;
  // A payload task that could not be converted: reported to ECS as STOPPED with `reason`, never
  // run (acs-protocol.md §5.1).
  virtual void report_unrecognized_task(const std::string& task_arn, std::string reason) = 0;
  // The credentials id ACS gave the task's role (task role, or execution role when `execution`).
  virtual Result<void> set_credentials_id(const std::string& task_arn, bool execution,
                                          const std::string& credentials_id) = 0;
  // Desired STOPPED (a manifest or stop verification said so). An unknown ARN is not an error.
  virtual Result<void> stop_task(const std::string& task_arn) = 0;

  virtual const task::Task* find_task(const std::string& task_arn) const = 0;
  virtual std::vector<const task::Task*> tasks() const = 0;
};

// Whether some task the engine knows carries `credentials_id` (for the credentials endpoint's
// 503 after a restart, before ACS re-sends the credentials).
bool knows_credentials_id(const TaskEngine& engine, const std::string& credentials_id);

}  // namespace ecs::engine
