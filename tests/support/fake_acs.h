// The tests' fake ACS is the local control plane's ACS server (src/localcp).
#pragma once

#include "localcp/acs_server.h"
#include "support/server_thread.h"
#include "support/test_ca.h"

namespace ecs::test {
using FakeAcs = localcp::AcsServer;
using localcp::frame_is;
}  // namespace ecs::test
