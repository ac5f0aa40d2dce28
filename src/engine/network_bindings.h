// The networkBindings of a container's state change (task-engine.md §6.3), from the port
// bindings Docker reports for it: a port the task maps on its own is one binding per bind
// address; the ports of a containerPortRange become one binding per (range, bind address,
// protocol) with containerPortRange and hostPortRange; ports the task did not map are dropped,
// and so are `::` bindings when IPv6 bindings are excluded (ECS_EXCLUDE_IPV6_PORTBINDING).
#pragma once

#include <vector>

#include "aws/ecs_client.h"
#include "task/task.h"

namespace ecs::engine {

std::vector<aws::NetworkBinding> network_bindings(const task::Container& c, bool exclude_ipv6);

}  // namespace ecs::engine
