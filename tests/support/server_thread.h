// The tests' name for the local control plane's server thread (src/localcp).
#pragma once

#include "localcp/server_thread.h"

namespace ecs::test {
using localcp::ServerThread;
}  // namespace ecs::test
