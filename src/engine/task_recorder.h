// The engine's stand-in while no container runs: it records the tasks ACS sends, with their
// desired status and credentials ids, persists them, and on a stop marks the task STOPPED and
// removes its credentials. The Docker task engine replaces it.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "credentials/store.h"
#include "engine/task_engine.h"
#include "state/repository.h"

namespace ecs::engine {

class TaskRecorder : public TaskEngine {
 public:
  TaskRecorder(std::vector<task::Task> initial, state::Repository& repository,
               credentials::CredentialsStore& credentials);

  Result<void> add_task(task::Task task) override;
  void report_unrecognized_task(const std::string& task_arn, std::string reason) override;
  Result<void> set_credentials_id(const std::string& task_arn, bool execution,
                                  const std::string& credentials_id) override;
  Result<void> stop_task(const std::string& task_arn) override;
  const task::Task* find_task(const std::string& task_arn) const override;
  std::vector<const task::Task*> tasks() const override;

 private:
  std::map<std::string, task::Task> tasks_;
  state::Repository& repository_;
  credentials::CredentialsStore& credentials_;
};

}  // namespace ecs::engine
