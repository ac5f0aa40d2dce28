#include <csignal>

#include <boost/asio/signal_set.hpp>

#include "platform/service_loop.h"

namespace ecs::platform {

ServiceResult run_until_stopped(asio::io_context& io, StopSource& stop,
                                std::function<asio::awaitable<int>()> body,
                                std::function<void(std::string_view what)> on_stop_requested,
                                std::chrono::nanoseconds grace) {
  detail::ServiceLoop loop(io, stop, std::move(on_stop_requested), grace);
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&loop](boost::system::error_code ec, int signal) {
    if (ec) return;
    loop.request_stop(signal == SIGTERM ? "SIGTERM" : "SIGINT");
  });
  return loop.run(std::move(body), [&signals] { signals.cancel(); });
}

}  // namespace ecs::platform
