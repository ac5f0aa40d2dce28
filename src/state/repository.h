// Where the agent's state goes so that a restart finds it. Each call is one durable write,
// committed (on disk, crash-safe) before it returns, and costs the size of the record written,
// not the size of everything kept (so the engine can save a task on every transition). The
// implementation is state/lmdb_repository (one LMDB file in ECS_DATADIR); NoRepository is for
// ECS_CHECKPOINT=false.
#pragma once

#include <functional>
#include <string>

#include "core/error.h"
#include "state/records.h"

namespace ecs::state {

class Repository {
 public:
  virtual ~Repository() = default;
  virtual Result<SavedState> load() = 0;
  virtual Result<void> save_instance(const InstanceRecord& instance) = 0;
  virtual Result<void> save_task(const task::Task& task) = 0;
  virtual Result<void> remove_task(const std::string& task_arn) = 0;
  virtual Result<void> save_attachment(const AttachmentRecord& attachment) = 0;
  virtual Result<void> remove_attachment(const std::string& arn) = 0;
  // Whether the last write reached the disk (the health doctor's "state writable").
  virtual bool last_write_ok() const = 0;
  // Runs `writes` (calls of the methods above) so that a crash keeps all of them or none: a
  // PayloadMessage's tasks and the sequence number it raises are one commit. The calls inside
  // succeed as soon as they are recorded; the result is the commit's. A store without
  // transactions runs them one by one (each call's own result counts).
  virtual Result<void> write_together(const std::function<void()>& writes) {
    writes();
    return {};
  }
};

// Checkpointing off: nothing is kept, every write succeeds.
class NoRepository : public Repository {
 public:
  Result<SavedState> load() override { return SavedState{}; }
  Result<void> save_instance(const InstanceRecord&) override { return {}; }
  Result<void> save_task(const task::Task&) override { return {}; }
  Result<void> remove_task(const std::string&) override { return {}; }
  Result<void> save_attachment(const AttachmentRecord&) override { return {}; }
  Result<void> remove_attachment(const std::string&) override { return {}; }
  bool last_write_ok() const override { return true; }
};

}  // namespace ecs::state
