// A mutex for coroutines on one executor: lock() suspends the caller (never the thread) until
// the holder's guard is released; waiters get the lock in arrival order.
#pragma once

#include <deque>
#include <memory>

#include "core/asio.h"
#include "core/async_event.h"

namespace ecs {

class AsyncMutex {
 public:
  class Guard {
   public:
    Guard() = default;
    explicit Guard(AsyncMutex* m) : mutex_(m) {}
    Guard(Guard&& o) noexcept : mutex_(std::exchange(o.mutex_, nullptr)) {}
    Guard& operator=(Guard&& o) noexcept {
      if (this != &o) {
        release();
        mutex_ = std::exchange(o.mutex_, nullptr);
      }
      return *this;
    }
    ~Guard() { release(); }
    void release() {
      if (mutex_ != nullptr) std::exchange(mutex_, nullptr)->unlock();
    }

   private:
    AsyncMutex* mutex_ = nullptr;
  };

  asio::awaitable<Guard> lock() {
    if (!locked_) {
      locked_ = true;
      co_return Guard(this);
    }
    auto turn = std::make_shared<AsyncEvent>(co_await asio::this_coro::executor);
    waiters_.push_back(turn);
    co_await turn->wait();  // unlock() handed the lock over to us
    co_return Guard(this);
  }
  bool locked() const { return locked_; }

 private:
  void unlock() {
    if (waiters_.empty()) {
      locked_ = false;
      return;
    }
    auto next = std::move(waiters_.front());
    waiters_.pop_front();
    next->set();  // stays locked: ownership passes to the next waiter
  }

  bool locked_ = false;
  std::deque<std::shared_ptr<AsyncEvent>> waiters_;
};

}  // namespace ecs
