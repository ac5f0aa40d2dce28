// The process shell of platform/service.h on POSIX: a signal stops the body through its stop
// token, names itself, and what does not end within the grace period is abandoned.
#include "platform/service.h"

#include <gtest/gtest.h>

#include <csignal>

#include "platform/host_info.h"

namespace ecs::platform {
namespace {

using namespace std::chrono_literals;

TEST(PlatformService, ABodyThatEndsGivesItsExitCode) {
  asio::io_context io;
  StopSource stop;
  auto r = run_until_stopped(
      io, stop, []() -> asio::awaitable<int> { co_return 3; }, [](std::string_view) {}, 5s);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.stop_requested);
  EXPECT_FALSE(r.abandoned);
  EXPECT_TRUE(stop.stopped()) << "the body's end stops its helpers too";
}

TEST(PlatformService, SigtermStopsTheBodyThroughItsToken) {
  asio::io_context io;
  StopSource stop;
  std::string what;
  auto r = run_until_stopped(
      io, stop,
      [&]() -> asio::awaitable<int> {
        std::raise(SIGTERM);
        SteadyClock clock;
        const bool slept = co_await clock.sleep(30s, stop);
        co_return slept ? 1 : 0;
      },
      [&](std::string_view w) { what = w; }, 5s);
  EXPECT_TRUE(r.stop_requested);
  EXPECT_EQ(what, "SIGTERM");
  EXPECT_EQ(r.exit_code, 0) << "the sleep ended at once on stop";
  EXPECT_FALSE(r.abandoned);
}

TEST(PlatformService, WorkThatIgnoresTheStopIsAbandonedAfterTheGrace) {
  asio::io_context io;
  StopSource stop;
  auto r = run_until_stopped(
      io, stop,
      [&]() -> asio::awaitable<int> {
        std::raise(SIGINT);
        asio::steady_timer t(co_await asio::this_coro::executor, 30s);  // does not look at `stop`
        co_await t.async_wait(asio::use_awaitable);
        co_return 0;
      },
      [](std::string_view) {}, 50ms);
  EXPECT_TRUE(r.stop_requested);
  EXPECT_TRUE(r.abandoned);
}

TEST(PlatformHostInfo, DescribesThisHost) {
  const HostInfo h = host_info();
  EXPECT_GE(h.cpu_count, 1u);
  EXPECT_GT(h.memory_mib, 0);
  EXPECT_EQ(h.os_type, "linux");
  EXPECT_FALSE(h.cpu_architecture.empty());
}

}  // namespace
}  // namespace ecs::platform
