// The one header through which the project includes Boost.Asio.
//
// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>; with g++ 12
// that fails unless <utility> comes first, so every Asio user includes this header instead.
// Asio and Beast are built in separate-compilation mode (see core/asio_impl.cpp).
//
// Rule for coroutines (GCC 12): inside a coroutine, never write a lambda with captures that have
// destructors, or a braced aggregate temporary (`Peer{...}`), inside a co_await expression —
// GCC 12 copies such temporaries bitwise into the frame and frees memory that was never
// allocated (seen under ASan; GCC 13 is fixed). Name the object first, then co_await with it:
//   auto task = [request] { return http.perform(request); };
//   auto r = co_await pool.run(std::move(task));
// Plain strings and other non-aggregate temporaries are fine.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ecs {
namespace asio = boost::asio;
}  // namespace ecs
