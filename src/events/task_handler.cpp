#include "events/task_handler.h"

#include "core/log.h"

namespace ecs::events {

asio::awaitable<Result<void>> EcsSubmitter::submit(const TaskStateChange& change) {
  co_return co_await ecs_.submit_task_state_change(to_wire(change, cluster_));
}

TaskHandler::TaskHandler(asio::any_io_executor executor, StateChangeSubmitter& submitter,
                         TaskStateSource& source, Clock& clock, Jitter& jitter, TaskHandlerOptions options)
    : executor_(executor),
      submitter_(submitter),
      source_(source),
      clock_(clock),
      jitter_(jitter),
      options_(options),
      changed_(std::make_shared<AsyncEvent>(executor)),
      alive_(std::make_shared<bool>(true)) {}

TaskHandler::~TaskHandler() {
  *alive_ = false;
  stop_.stop();
}

void TaskHandler::stop() {
  stop_.stop();
  notify();
}

void TaskHandler::notify() {
  auto fired = std::move(changed_);
  changed_ = std::make_shared<AsyncEvent>(executor_);
  fired->set();
}

void TaskHandler::container_changed(ContainerStateChange change) {
  const std::string arn = change.task_arn;
  batches_[arn].containers.push_back(std::move(change));
}

void TaskHandler::managed_agent_changed(ManagedAgentStateChange change) {
  if (!task::should_report_to_backend(change.status)) {
    log::warn("dropping managed agent event ECS does not take",
              {{"task", change.task_arn}, {"event", change.str()}});
    return;
  }
  if (change.reason.size() > task::kMaxReasonLength) change.reason.resize(task::kMaxReasonLength);
  const std::string arn = change.task_arn;
  batches_[arn].managed_agents.push_back(std::move(change));
}

void TaskHandler::attach_pending(TaskStateChange& change) {
  auto it = batches_.find(change.task_arn);
  if (it == batches_.end()) return;
  for (auto& c : it->second.containers) change.containers.push_back(std::move(c));
  for (auto& m : it->second.managed_agents) change.managed_agents.push_back(std::move(m));
  batches_.erase(it);
}

void TaskHandler::task_changed(TaskStateChange change) {
  attach_pending(change);
  enqueue(std::move(change));
}

std::vector<TaskStateChange> TaskHandler::drain_changes() {
  std::vector<TaskStateChange> out;
  std::vector<std::string> arns;
  for (const auto& [arn, batch] : batches_) arns.push_back(arn);
  for (const auto& arn : arns) {
    const task::Task* live = source_.live_task(arn);
    if (live == nullptr || live->known_status >= task::TaskStatus::stopped) continue;
    TaskStateChange change;
    change.task_arn = arn;
    change.status = live->known_status;
    change.pull_started_at = live->pull_started_at;
    change.pull_stopped_at = live->pull_stopped_at;
    change.execution_stopped_at = live->execution_stopped_at;
    attach_pending(change);
    out.push_back(std::move(change));
  }
  return out;
}

void TaskHandler::drain() {
  for (auto& change : drain_changes()) enqueue(std::move(change));
}

asio::awaitable<void> TaskHandler::run_drain_ticker(StopToken stop) {
  for (;;) {
    const auto spread = options_.drain_max - options_.drain_min;
    const auto wait =
        options_.drain_min + std::chrono::duration_cast<std::chrono::nanoseconds>(spread * jitter_.uniform());
    const bool waited = co_await clock_.sleep(std::chrono::duration_cast<Clock::duration>(wait), stop);
    if (!waited) co_return;
    drain();
  }
}

std::size_t TaskHandler::pending(const std::string& task_arn) const {
  auto it = batches_.find(task_arn);
  return it == batches_.end() ? 0 : it->second.containers.size() + it->second.managed_agents.size();
}

std::size_t TaskHandler::queued(const std::string& task_arn) const {
  auto it = queues_.find(task_arn);
  return it == queues_.end() ? 0 : it->second.changes.size();
}

void TaskHandler::enqueue(TaskStateChange change) {
  const std::string arn = change.task_arn;
  Queue& q = queues_[arn];
  q.changes.push_back(std::move(change));
  if (q.running || stop_.stopped()) return;
  q.running = true;
  asio::co_spawn(executor_, send_queue(arn), asio::detached);
}

asio::awaitable<bool> TaskHandler::acquire_slot() {
  auto alive = alive_;
  while (*alive && !stop_.stopped() && sending_ >= options_.max_concurrent) {
    auto event = changed_;
    co_await event->wait();
  }
  if (!*alive || stop_.stopped()) co_return false;
  ++sending_;
  co_return true;
}

void TaskHandler::release_slot() {
  --sending_;
  notify();
}

asio::awaitable<void> TaskHandler::send_queue(std::string arn) {
  auto alive = alive_;
  ExponentialBackoff backoff(options_.backoff_min, options_.backoff_max, options_.backoff_jitter,
                             options_.backoff_multiplier, jitter_);
  for (;;) {
    if (!*alive) co_return;
    auto qit = queues_.find(arn);
    if (qit == queues_.end()) co_return;
    if (qit->second.changes.empty() || stop_.stopped()) {
      qit->second.running = false;
      if (qit->second.changes.empty()) queues_.erase(qit);
      notify();
      co_return;
    }
    if (!co_await acquire_slot()) {
      if (*alive) {
        if (auto q = queues_.find(arn); q != queues_.end()) q->second.running = false;
      }
      co_return;
    }
    const TaskStateChange change = queues_[arn].changes.front();
    task::Task* live = source_.live_task(arn);
    bool done = false;
    if (live == nullptr || !needs_sending(change, *live)) {
      log::debug("Not submitting redundant event; just removing",
                 {{"taskArn", arn}, {"status", std::string(task::to_string(change.status))}});
      done = true;
    } else {
      auto submitted = co_await submitter_.submit(change);
      if (!*alive) co_return;
      if (submitted) {
        log::info("sent task state change", {{"taskArn", arn},
                                             {"status", std::string(task::backend_status(change.status))},
                                             {"containers", std::to_string(change.containers.size())}});
        if (task::Task* now = source_.live_task(arn); now != nullptr && mark_sent(change, *now)) {
          source_.persist_task(arn);
        }
        backoff.reset();
        done = true;
      } else if (submitted.error().code == aws::EcsErrc::invalid_parameter) {
        log::error("ECS refused a task state change as invalid; dropping it",
                   {{"taskArn", arn}, {"error", submitted.error().message}});
        done = true;
      } else {
        const auto delay = backoff.next();
        log::warn("could not send a task state change; retrying",
                  {{"taskArn", arn},
                   {"error", submitted.error().message},
                   {"retryInMs",
                    std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count())}});
        release_slot();
        const bool waited =
            co_await clock_.sleep(std::chrono::duration_cast<Clock::duration>(delay), StopToken(stop_));
        if (!*alive) co_return;
        if (!waited) {
          if (auto q = queues_.find(arn); q != queues_.end()) q->second.running = false;
          notify();
          co_return;
        }
        continue;
      }
    }
    release_slot();
    if (done) {
      auto q = queues_.find(arn);
      if (q != queues_.end() && !q->second.changes.empty()) q->second.changes.pop_front();
    }
  }
}

asio::awaitable<void> TaskHandler::idle() {
  auto alive = alive_;
  while (*alive && !stop_.stopped() && !queues_.empty()) {
    auto event = changed_;
    co_await event->wait();
  }
}

}  // namespace ecs::events
