// A few threads for blocking work (libcurl transfers), so the io thread never blocks.
// run() executes a plain function on a worker and resumes the awaiting coroutine on its own
// executor with the result. No coroutine frame ever moves between threads: Boost 1.74 recycles
// awaitable frames per thread and crashes if one is finished on another thread.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <type_traits>

#include "core/asio.h"

namespace ecs {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads = 2) : pool_(threads) {}
  ~WorkerPool() { pool_.join(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Pass a named function object (see core/asio.h: no closure temporaries in co_await).
  template <class F>
  asio::awaitable<std::invoke_result_t<std::decay_t<F>>> run(F&& fn) {
    using R = std::invoke_result_t<std::decay_t<F>>;
    auto home = co_await asio::this_coro::executor;
    auto initiation = [this, home, fn = std::decay_t<F>(std::forward<F>(fn))](auto handler) mutable {
      asio::post(pool_, [home, fn = std::move(fn), handler = std::move(handler)]() mutable {
        R result = fn();
        asio::post(home, [handler = std::move(handler), result = std::move(result)]() mutable {
          std::move(handler)(std::move(result));
        });
      });
    };
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(R)>(std::move(initiation),
                                                                                    asio::use_awaitable);
  }

 private:
  asio::thread_pool pool_;
};

}  // namespace ecs
