#include "state/instance_store.h"

namespace ecs::state {

Result<void> InstanceStore::set_registration(const std::string& cluster, const std::string& arn) {
  record_.cluster = cluster;
  record_.container_instance_arn = arn;
  return repository_.save_instance(record_);
}

Result<void> InstanceStore::set_seq_num(std::int64_t seq_num) {
  record_.seq_num = seq_num;
  return repository_.save_instance(record_);
}

Result<void> InstanceStore::set_manifest_message_id(const std::string& id) {
  record_.manifest_message_id = id;
  return repository_.save_instance(record_);
}

}  // namespace ecs::state
