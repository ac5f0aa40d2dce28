#include "platform/service_loop.h"

namespace ecs::platform::detail {

ServiceLoop::ServiceLoop(asio::io_context& io, StopSource& stop,
                         std::function<void(std::string_view)> on_stop_requested,
                         std::chrono::nanoseconds grace)
    : io_(io), stop_(stop), on_stop_requested_(std::move(on_stop_requested)), grace_(grace), guard_(io) {}

void ServiceLoop::request_stop(std::string_view what) {
  if (result_.stop_requested) return;
  result_.stop_requested = true;
  stop_.stop();
  if (on_stop_requested_) on_stop_requested_(what);
  guard_.expires_after(grace_);
  guard_.async_wait([this](boost::system::error_code e) {
    if (e) return;
    result_.abandoned = true;
    io_.stop();
  });
}

ServiceResult ServiceLoop::run(std::function<asio::awaitable<int>()> body, std::function<void()> on_done) {
  asio::co_spawn(io_, body(), [this, on_done](std::exception_ptr e, int code) {
    result_.threw = static_cast<bool>(e);
    result_.exit_code = e ? 1 : code;
    guard_.cancel();
    stop_.stop();
    if (on_done) on_done();
  });
  io_.run();
  return result_;
}

}  // namespace ecs::platform::detail
