// Runs a coroutine on a fresh io_context until it finishes and returns its result (exceptions
// propagate), so that tests can be written top to bottom.
#pragma once

#include <exception>
#include <optional>
#include <type_traits>

#include "core/asio.h"

namespace ecs::test {

template <class T>
T run(asio::io_context& io, asio::awaitable<T> coro) {
  std::exception_ptr error;
  if constexpr (std::is_void_v<T>) {
    asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e) { error = e; });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<T> result;
    asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e, T value) {
      error = e;
      if (!e) result.emplace(std::move(value));
    });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }
}

template <class T>
T run(asio::awaitable<T> coro) {
  asio::io_context io;
  return run(io, std::move(coro));
}

}  // namespace ecs::test
