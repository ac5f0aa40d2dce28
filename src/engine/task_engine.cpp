#include "engine/task_engine.h"

namespace ecs::engine {

bool knows_credentials_id(const TaskEngine& engine, const std::string& id) {
  if (id.empty()) return false;
  for (const task::Task* t : engine.tasks()) {
    if (t->credentials_id == id || t->execution_credentials_id == id) return true;
  }
  return false;
}

}  // namespace ecs::engine
