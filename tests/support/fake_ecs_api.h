// The tests' fake ECS API is the local control plane's ECS API server (src/localcp).
#pragma once

#include "localcp/ecs_api_server.h"
#include "support/server_thread.h"
#include "support/test_ca.h"

namespace ecs::test {
using FakeEcsApi = localcp::EcsApiServer;
}  // namespace ecs::test
