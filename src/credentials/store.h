// Task IAM role credentials as ACS pushes them (acs-protocol.md §5.1, §5.2) and the store the
// credentials endpoint serves them from (operations.md §10). The reference's credentials
// manager: in memory only, by design — the secrets never reach a disk, a log line or the state
// file (the state keeps the ids).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ecs::credentials {

inline constexpr std::string_view kRoleTaskApplication = "TaskApplication";
inline constexpr std::string_view kRoleTaskExecution = "TaskExecution";

struct TaskCredentials {
  std::string task_arn;
  std::string role_type;  // TaskApplication / TaskExecution
  std::string credentials_id;
  std::string role_arn;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string expiration;  // echoed verbatim, as ACS sent it
};

class CredentialsStore {
 public:
  virtual ~CredentialsStore() = default;
  // Rejects an empty credentials id ("CredentialsId is empty") or task ARN ("task ARN is empty").
  virtual Result<void> set_task_credentials(const TaskCredentials& credentials) = 0;
  virtual std::optional<TaskCredentials> get_task_credentials(const std::string& credentials_id) const = 0;
  virtual void remove_task_credentials(const std::string& credentials_id) = 0;
};

// The agent's store. Single io thread only.
class InMemoryCredentialsStore : public CredentialsStore {
 public:
  Result<void> set_task_credentials(const TaskCredentials& credentials) override;
  std::optional<TaskCredentials> get_task_credentials(const std::string& credentials_id) const override;
  void remove_task_credentials(const std::string& credentials_id) override;
  std::size_t size() const { return by_id_.size(); }

 private:
  std::map<std::string, TaskCredentials> by_id_;
};

}  // namespace ecs::credentials
