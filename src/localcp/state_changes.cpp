#include "localcp/state_changes.h"

#include "core/json_reader.h"

namespace ecs::localcp {

const ReportedContainer* ReportedTaskChange::container(std::string_view name) const {
  const ReportedContainer* latest = nullptr;
  for (const auto& c : containers) {
    if (c.name == name) latest = &c;
  }
  return latest;
}

Result<ReportedTaskChange> parse_task_state_change(std::string_view body) {
  JsonReader reader("SubmitTaskStateChange request", errc::make_error_code(errc::invalid_argument));
  ReportedTaskChange change;
  const auto root = reader.parse(body);
  if (!root) return reader.error();
  root->get("cluster", change.cluster);
  root->get("task", change.task);
  root->get("status", change.status);
  root->get("reason", change.reason);
  change.pull_started_at = root->has("pullStartedAt");
  change.pull_stopped_at = root->has("pullStoppedAt");
  change.execution_stopped_at = root->has("executionStoppedAt");
  root->each("containers", [&](const JsonObject& o, std::size_t) {
    ReportedContainer c;
    o.get("containerName", c.name);
    o.get("status", c.status);
    o.get("runtimeId", c.runtime_id);
    o.get("exitCode", c.exit_code);
    o.get("reason", c.reason);
    o.get("imageDigest", c.image_digest);
    o.each("networkBindings", [&](const JsonObject&, std::size_t) { ++c.network_bindings; });
    change.containers.push_back(std::move(c));
  });
  root->each("managedAgents", [&](const JsonObject& o, std::size_t) {
    ReportedManagedAgent a;
    o.get("containerName", a.container);
    o.get("managedAgentName", a.name);
    o.get("status", a.status);
    o.get("reason", a.reason);
    change.managed_agents.push_back(std::move(a));
  });
  if (change.task.empty() && reader.ok()) reader.fail("task", "is missing");
  return reader.finish(std::move(change));
}

std::string describe(const ReportedTaskChange& change) {
  std::string out = "task " + change.task + " " + change.status;
  if (!change.reason.empty()) out.append(" (").append(change.reason).append(")");
  const char* sep = "; ";
  for (const auto& c : change.containers) {
    out.append(sep).append(c.name).append(" ").append(c.status);
    sep = ", ";
    if (c.exit_code) out.append(" exit ").append(std::to_string(*c.exit_code));
    if (!c.runtime_id.empty()) out.append(" (id ").append(c.runtime_id.substr(0, 12)).append(")");
    if (!c.reason.empty()) out.append(" reason: ").append(c.reason);
  }
  for (const auto& a : change.managed_agents) {
    out.append(sep).append(a.container).append("/").append(a.name).append(" ").append(a.status);
    sep = ", ";
  }
  return out;
}

}  // namespace ecs::localcp
