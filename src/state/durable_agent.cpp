#include "state/durable_agent.h"

#include <set>

#include "core/log.h"

namespace ecs::state {

namespace {

Error invalid(std::string text) {
  return make_error(errc::make_error_code(errc::invalid_argument), std::move(text));
}

}  // namespace

DurableAgent::DurableAgent(AgentState initial, StateStore* store, acs::CredentialsStore& credentials,
                           const Clock& clock)
    : state_(std::move(initial)), store_(store), credentials_(credentials), clock_(clock) {}

Result<void> DurableAgent::commit() {
  if (store_ == nullptr) return {};
  auto saved = store_->save(state_);
  last_commit_ok_ = static_cast<bool>(saved);
  if (!saved) log::error("could not save the agent state", {{"error", saved.error().message}});
  return saved;
}

TaskRecord* DurableAgent::find_task(const std::string& arn) {
  for (auto& t : state_.tasks) {
    if (t.arn == arn) return &t;
  }
  return nullptr;
}

Result<void> DurableAgent::set_registration(const std::string& cluster, const std::string& arn) {
  state_.cluster = cluster;
  state_.container_instance_arn = arn;
  return commit();
}

bool DurableAgent::knows_credentials_id(const std::string& id) const {
  if (id.empty()) return false;
  for (const auto& t : state_.tasks) {
    if (t.credentials_id == id || t.execution_credentials_id == id) return true;
  }
  return false;
}

asio::awaitable<Result<void>> DurableAgent::process(const acs::PayloadMessage& message,
                                                    acs::AckFunction ack) {
  std::vector<acs::IAMRoleCredentialsAckRequest> credential_acks;
  bool all_handled = true;
  auto add_credentials = [&](const acs::Task& task, const acs::IAMRoleCredentials& rc,
                             std::string_view role) {
    acs::TaskCredentials c{*task.arn,
                           std::string(role),
                           rc.credentialsId.value_or(""),
                           rc.roleArn.value_or(""),
                           rc.accessKeyId.value_or(""),
                           rc.secretAccessKey.value_or(""),
                           rc.sessionToken.value_or(""),
                           rc.expiration.value_or("")};
    if (!credentials_.set_task_credentials(c)) return false;
    acs::IAMRoleCredentialsAckRequest a;
    a.messageId = message.messageId;
    a.expiration = rc.expiration;
    a.credentialsId = rc.credentialsId;
    credential_acks.push_back(std::move(a));
    return true;
  };
  for (const acs::Task& task : message.tasks.value_or(std::vector<acs::Task>{})) {
    if (!task.arn || task.arn->empty()) {
      all_handled = false;
      continue;
    }
    TaskRecord* record = find_task(*task.arn);
    if (record == nullptr) {
      state_.tasks.emplace_back();
      record = &state_.tasks.back();
      record->arn = *task.arn;
      record->known_status = "NONE";
    }
    record->family = task.family.value_or("");
    record->version = task.version.value_or("");
    record->desired_status = task.desiredStatus.value_or("RUNNING");
    if (task.containers) {
      std::vector<ContainerRecord> containers;
      for (const auto& c : *task.containers) {
        ContainerRecord cr;
        cr.name = c.name.value_or("");
        for (const auto& old : record->containers) {
          if (old.name == cr.name) cr = old;  // keep what the agent learned about it
        }
        if (c.managedAgents) {
          cr.managed_agents.clear();
          for (const auto& m : *c.managedAgents) {
            execcmd::ManagedAgent agent;
            agent.name = m.name.value_or("");
            if (m.properties)
              agent.properties = execcmd::StringMap(m.properties->begin(), m.properties->end());
            for (const auto& old : record->containers) {
              if (old.name != cr.name) continue;
              for (const auto& a : old.managed_agents) {
                if (a.name == agent.name) agent.state = a.state;
              }
            }
            cr.managed_agents.push_back(std::move(agent));
          }
        }
        containers.push_back(std::move(cr));
      }
      record->containers = std::move(containers);
    }
    if (task.roleCredentials) {
      all_handled = add_credentials(task, *task.roleCredentials, acs::kRoleTaskApplication) && all_handled;
      record->credentials_id = task.roleCredentials->credentialsId.value_or("");
    }
    if (task.executionRoleCredentials) {
      all_handled =
          add_credentials(task, *task.executionRoleCredentials, acs::kRoleTaskExecution) && all_handled;
      record->execution_credentials_id = task.executionRoleCredentials->credentialsId.value_or("");
    }
  }
  if (message.seqNum && *message.seqNum > state_.seq_num) state_.seq_num = *message.seqNum;
  // Committed before the ack: an acknowledged payload survives a crash.
  if (auto saved = commit(); !saved) co_return saved.error();
  if (!all_handled) co_return invalid("did not handle all tasks");
  acs::AckRequest payload_ack;
  payload_ack.cluster = message.clusterArn;
  payload_ack.containerInstance = message.containerInstanceArn;
  payload_ack.messageId = message.messageId;
  ack(payload_ack, credential_acks);
  co_return Result<void>();
}

Result<void> DurableAgent::set_task_role_credentials(const acs::IAMRoleCredentialsMessage& m) {
  TaskRecord* t = find_task(m.taskArn.value_or(""));
  if (t == nullptr) {
    return invalid("Task not found in the task engine for task ARN " + m.taskArn.value_or("") +
                   " from credentials message with message ID " + m.messageId.value_or(""));
  }
  t->credentials_id = m.roleCredentials ? m.roleCredentials->credentialsId.value_or("") : "";
  return commit();
}

Result<void> DurableAgent::set_execution_role_credentials(const acs::IAMRoleCredentialsMessage& m) {
  TaskRecord* t = find_task(m.taskArn.value_or(""));
  if (t == nullptr) {
    return invalid("Task not found in the task engine for task ARN " + m.taskArn.value_or("") +
                   " from credentials message with message ID " + m.messageId.value_or(""));
  }
  t->execution_credentials_id = m.roleCredentials ? m.roleCredentials->credentialsId.value_or("") : "";
  return commit();
}

Result<std::vector<acs::TaskIdentifier>> DurableAgent::compare_running_tasks_with_manifest(
    const acs::TaskManifestMessage& manifest) {
  std::set<std::string> listed_running;
  for (const auto& t : manifest.tasks.value_or(std::vector<acs::TaskIdentifier>{})) {
    if (t.desiredStatus.value_or("") == "RUNNING") listed_running.insert(t.taskArn.value_or(""));
  }
  std::vector<acs::TaskIdentifier> candidates;
  for (const auto& task : state_.tasks) {
    if (task.desired_status != "RUNNING" || listed_running.count(task.arn)) continue;
    acs::TaskIdentifier c;
    c.desiredStatus = "STOPPED";
    c.taskArn = task.arn;
    c.taskClusterArn = manifest.clusterArn;
    candidates.push_back(std::move(c));
  }
  return candidates;
}

Result<void> DurableAgent::stop_task(const std::string& arn) {
  TaskRecord* t = find_task(arn);
  if (t == nullptr) {
    log::info("asked to stop a task that is not here; ignoring", {{"taskArn", arn}});
    return {};
  }
  t->desired_status = "STOPPED";
  // No task engine yet: a task asked to stop is stopped, and its credentials go with it.
  t->known_status = "STOPPED";
  if (!t->credentials_id.empty()) credentials_.remove_task_credentials(t->credentials_id);
  if (!t->execution_credentials_id.empty()) credentials_.remove_task_credentials(t->execution_credentials_id);
  return commit();
}

Result<void> DurableAgent::set_latest(std::int64_t value) {
  state_.seq_num = value;
  return commit();
}

Result<void> DurableAgent::set(const std::string& id) {
  state_.manifest_message_id = id;
  return commit();
}

Result<void> DurableAgent::record_attachment(const std::string& arn, const std::string& type,
                                             std::chrono::steady_clock::time_point expires_at) {
  AttachmentRecord* record = nullptr;
  for (auto& a : state_.attachments) {
    if (a.arn == arn) record = &a;
  }
  if (record == nullptr) {
    state_.attachments.emplace_back();
    record = &state_.attachments.back();
    record->arn = arn;
  }
  record->type = type;
  record->status = "ATTACHED";
  record->expires_at = clock_.wall_now() + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                               expires_at - clock_.now());
  return commit();
}

Result<void> DurableAgent::handle_eni_attachment(const acs::EniAttachment& a) {
  return record_attachment(a.attachment_arn, a.attachment_type, a.expires_at);
}

Result<void> DurableAgent::handle_resource_attachment(const acs::ResourceAttachment& a) {
  return record_attachment(a.attachment_arn, a.attachment_type, a.expires_at);
}

Result<void> DurableAgent::save(const std::string& task_arn, const execcmd::Container& container) {
  TaskRecord* t = find_task(task_arn);
  if (t == nullptr) return invalid("no task " + task_arn + " to save container " + container.name + " in");
  ContainerRecord* record = nullptr;
  for (auto& c : t->containers) {
    if (c.name == container.name) record = &c;
  }
  if (record == nullptr) {
    t->containers.emplace_back();
    record = &t->containers.back();
    record->name = container.name;
  }
  record->runtime_id = container.runtime_id;
  record->managed_agents = container.managed_agents;
  return commit();
}

Result<void> DurableAgent::expire_attachments() {
  const auto now = clock_.wall_now();
  const auto before = state_.attachments.size();
  std::erase_if(state_.attachments, [&](const AttachmentRecord& a) {
    return a.expires_at != std::chrono::system_clock::time_point{} && a.expires_at <= now;
  });
  if (state_.attachments.size() == before) return {};
  return commit();
}

}  // namespace ecs::state
