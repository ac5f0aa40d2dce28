// The task manifest's collaborators (acs-protocol.md §5.6, §5.8): the message id of the last
// accepted manifest (kept in the instance record), the comparison of the tasks running here
// with those a manifest lists, and the stop of a task the control plane no longer lists.
#pragma once

#include "acs/interfaces.h"
#include "engine/task_engine.h"
#include "state/instance_store.h"

namespace ecs::handlers {

class ManifestMessageIdStore : public acs::ManifestMessageId {
 public:
  explicit ManifestMessageIdStore(state::InstanceStore& instance) : instance_(instance) {}
  std::string get() const override { return instance_.record().manifest_message_id; }
  Result<void> set(const std::string& id) override { return instance_.set_manifest_message_id(id); }

 private:
  state::InstanceStore& instance_;
};

// Tasks desired RUNNING here that the manifest does not list as RUNNING.
class ManifestComparer : public acs::TaskComparer {
 public:
  explicit ManifestComparer(const engine::TaskEngine& engine) : engine_(engine) {}
  Result<std::vector<acs::TaskIdentifier>> compare_running_tasks_with_manifest(
      const acs::TaskManifestMessage& manifest) override;

 private:
  const engine::TaskEngine& engine_;
};

class EngineTaskStopper : public acs::TaskStopper {
 public:
  explicit EngineTaskStopper(engine::TaskEngine& engine) : engine_(engine) {}
  Result<void> stop_task(const std::string& task_arn) override { return engine_.stop_task(task_arn); }

 private:
  engine::TaskEngine& engine_;
};

}  // namespace ecs::handlers
