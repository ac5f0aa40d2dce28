// A one-shot event coroutines on one executor can wait for (single-flight refreshes: the first
// caller does the work, the others wait for its result).
#pragma once

#include "core/asio.h"

namespace ecs {

class AsyncEvent {
 public:
  explicit AsyncEvent(asio::any_io_executor executor)
      : timer_(executor, asio::steady_timer::time_point::max()) {}
  asio::awaitable<void> wait() {
    if (set_) co_return;
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  void set() {
    set_ = true;
    timer_.cancel();
  }
  bool is_set() const { return set_; }

 private:
  asio::steady_timer timer_;
  bool set_ = false;
};

}  // namespace ecs
