// The process shell: run the agent until it ends or the operating system asks it to stop, then
// give it a bounded time to finish. POSIX: SIGTERM or SIGINT. Windows: Ctrl-C, Ctrl-Break, the
// console closing, log-off or shutdown (the service control manager's stop is the Windows
// service's, see the Windows build).
//
// On a stop request (on the io thread, once): `stop` is stopped, `on_stop_requested` is called
// with what asked ("SIGTERM", "SIGINT", "CTRL_C_EVENT", ...), and whatever has not ended `grace`
// later is abandoned (io.stop()).
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "core/asio.h"
#include "core/clock.h"

namespace ecs::platform {

struct ServiceResult {
  int exit_code = 0;
  bool stop_requested = false;  // a signal / console event ended the run
  bool abandoned = false;       // the grace period passed before the body ended
  bool threw = false;           // the body ended with an exception (exit_code is then 1)
};

ServiceResult run_until_stopped(asio::io_context& io, StopSource& stop,
                                std::function<asio::awaitable<int>()> body,
                                std::function<void(std::string_view what)> on_stop_requested,
                                std::chrono::nanoseconds grace);

}  // namespace ecs::platform
