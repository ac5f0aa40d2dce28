// The latest ACS sequence number (PayloadMessage.seqNum, TaskManifestMessage.timeline), kept in
// the instance record so a restart does not accept a stale manifest.
#pragma once

#include "acs/interfaces.h"
#include "state/instance_store.h"

namespace ecs::handlers {

class SequenceNumberStore : public acs::SequenceNumber {
 public:
  explicit SequenceNumberStore(state::InstanceStore& instance) : instance_(instance) {}
  std::int64_t latest() const override { return instance_.record().seq_num; }
  Result<void> set_latest(std::int64_t value) override { return instance_.set_seq_num(value); }

 private:
  state::InstanceStore& instance_;
};

}  // namespace ecs::handlers
