// The instance record in memory and on disk: the registration (cluster, container instance ARN)
// and ACS's bookkeeping (sequence number, last manifest message id). Every change is written
// through before it returns, so an acknowledgement never covers something a crash could lose.
#pragma once

#include <cstdint>
#include <string>

#include "state/repository.h"

namespace ecs::state {

class InstanceStore {
 public:
  InstanceStore(InstanceRecord initial, Repository& repository)
      : record_(std::move(initial)), repository_(repository) {}

  const InstanceRecord& record() const { return record_; }
  Result<void> set_registration(const std::string& cluster, const std::string& container_instance_arn);
  Result<void> set_seq_num(std::int64_t seq_num);
  Result<void> set_manifest_message_id(const std::string& id);

 private:
  InstanceRecord record_;
  Repository& repository_;
};

}  // namespace ecs::state
