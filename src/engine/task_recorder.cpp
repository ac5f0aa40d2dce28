#include "engine/task_recorder.h"

#include "core/log.h"

namespace ecs::engine {

TaskRecorder::TaskRecorder(std::vector<task::Task> initial, state::Repository& repository,
                           credentials::CredentialsStore& credentials)
    : repository_(repository), credentials_(credentials) {
  for (auto& t : initial) {
    std::string arn = t.arn;
    tasks_.emplace(std::move(arn), std::move(t));
  }
}

Result<void> TaskRecorder::add_task(task::Task incoming) {
  auto it = tasks_.find(incoming.arn);
  if (it == tasks_.end()) {
    it = tasks_.emplace(incoming.arn, std::move(incoming)).first;
  } else {
    task::Task& known = it->second;
    if (incoming.desired_status > known.desired_status) known.desired_status = incoming.desired_status;
    if (!incoming.credentials_id.empty()) known.credentials_id = incoming.credentials_id;
    if (!incoming.execution_credentials_id.empty())
      known.execution_credentials_id = incoming.execution_credentials_id;
  }
  return repository_.save_task(it->second);
}

void TaskRecorder::report_unrecognized_task(const std::string& task_arn, std::string reason) {
  log::warn("not running a task that cannot be converted", {{"taskArn", task_arn}, {"reason", reason}});
}

Result<void> TaskRecorder::set_credentials_id(const std::string& task_arn, bool execution,
                                              const std::string& credentials_id) {
  auto it = tasks_.find(task_arn);
  if (it == tasks_.end()) {
    return make_error(errc::make_error_code(errc::invalid_argument),
                      "Task not found in the task engine for task ARN " + task_arn);
  }
  (execution ? it->second.execution_credentials_id : it->second.credentials_id) = credentials_id;
  return repository_.save_task(it->second);
}

Result<void> TaskRecorder::stop_task(const std::string& task_arn) {
  auto it = tasks_.find(task_arn);
  if (it == tasks_.end()) {
    log::info("asked to stop a task that is not here; ignoring", {{"taskArn", task_arn}});
    return {};
  }
  task::Task& t = it->second;
  t.desired_status = task::TaskStatus::stopped;
  // No containers run: a task asked to stop is stopped, and its credentials go with it.
  t.known_status = task::TaskStatus::stopped;
  if (!t.credentials_id.empty()) credentials_.remove_task_credentials(t.credentials_id);
  if (!t.execution_credentials_id.empty()) credentials_.remove_task_credentials(t.execution_credentials_id);
  return repository_.save_task(t);
}

const task::Task* TaskRecorder::find_task(const std::string& task_arn) const {
  auto it = tasks_.find(task_arn);
  return it == tasks_.end() ? nullptr : &it->second;
}

std::vector<const task::Task*> TaskRecorder::tasks() const {
  std::vector<const task::Task*> out;
  out.reserve(tasks_.size());
  for (const auto& [arn, t] : tasks_) out.push_back(&t);
  return out;
}

}  // namespace ecs::engine
