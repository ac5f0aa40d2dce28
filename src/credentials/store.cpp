#include "credentials/store.h"

namespace ecs::credentials {
namespace {

Error invalid(std::string text) {
  return make_error(errc::make_error_code(errc::invalid_argument), std::move(text));
}

}  // namespace

Result<void> InMemoryCredentialsStore::set_task_credentials(const TaskCredentials& c) {
  if (c.credentials_id.empty()) return invalid("CredentialsId is empty");
  if (c.task_arn.empty()) return invalid("task ARN is empty");
  by_id_[c.credentials_id] = c;
  return {};
}

std::optional<TaskCredentials> InMemoryCredentialsStore::get_task_credentials(const std::string& id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

void InMemoryCredentialsStore::remove_task_credentials(const std::string& id) { by_id_.erase(id); }

}  // namespace ecs::credentials
