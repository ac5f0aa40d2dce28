// A PayloadMessage task as the engine's task (task-engine.md §1.1, the reference's TaskFromACS):
// every field the engine uses, mapped explicitly. Errors name the member, as the reference's
// decode would fail: a port protocol other than tcp/udp, a volume without a name or of an
// unknown type, container overrides that are not {"command":[...]}.
//
// unsupported_feature() names what this agent does not run yet (awsvpc, ENIs, App Mesh, Service
// Connect, FireLens, GPUs, EFS/FSx/EBS volumes, secrets, environment files, private registry
// credentials): such a task is refused with that reason as its STOPPED reason, never run wrong.
#pragma once

#include <optional>
#include <string>

#include "acs/model.h"
#include "core/error.h"
#include "task/task.h"

namespace ecs::handlers {

Result<task::Task> task_from_acs(const acs::Task& task);
std::optional<std::string> unsupported_feature(const acs::Task& task);

}  // namespace ecs::handlers
