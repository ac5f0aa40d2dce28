// The part of run_until_stopped both platforms share: the body, the grace timer and the result.
// Each platform's service.cpp supplies how stop requests arrive.
#pragma once

#include "platform/service.h"

namespace ecs::platform::detail {

class ServiceLoop {
 public:
  ServiceLoop(asio::io_context& io, StopSource& stop, std::function<void(std::string_view)> on_stop_requested,
              std::chrono::nanoseconds grace);
  // Called on the io thread when the platform asks the process to stop.
  void request_stop(std::string_view what);
  // Runs `body` and the io context; `on_done` runs on the io thread when the body has ended.
  ServiceResult run(std::function<asio::awaitable<int>()> body, std::function<void()> on_done);

 private:
  asio::io_context& io_;
  StopSource& stop_;
  std::function<void(std::string_view)> on_stop_requested_;
  std::chrono::nanoseconds grace_;
  asio::steady_timer guard_;
  ServiceResult result_;
};

}  // namespace ecs::platform::detail
