// Asio first: it includes winsock2.h, which must come before windows.h.
#include <windows.h>
#include "platform/service_loop.h"

#include <atomic>

namespace ecs::platform {
namespace {

// The console control handler runs on a thread of its own: it posts to the io context.
std::atomic<asio::io_context*> g_io{nullptr};
std::atomic<detail::ServiceLoop*> g_loop{nullptr};

const char* event_name(DWORD type) {
  switch (type) {
    case CTRL_C_EVENT:
      return "CTRL_C_EVENT";
    case CTRL_BREAK_EVENT:
      return "CTRL_BREAK_EVENT";
    case CTRL_CLOSE_EVENT:
      return "CTRL_CLOSE_EVENT";
    case CTRL_LOGOFF_EVENT:
      return "CTRL_LOGOFF_EVENT";
    case CTRL_SHUTDOWN_EVENT:
      return "CTRL_SHUTDOWN_EVENT";
  }
  return "console event";
}

BOOL WINAPI on_console_event(DWORD type) {
  asio::io_context* io = g_io.load();
  detail::ServiceLoop* loop = g_loop.load();
  if (io == nullptr || loop == nullptr) return FALSE;
  asio::post(*io, [loop, type] { loop->request_stop(event_name(type)); });
  return TRUE;
}

}  // namespace

ServiceResult run_until_stopped(asio::io_context& io, StopSource& stop,
                                std::function<asio::awaitable<int>()> body,
                                std::function<void(std::string_view what)> on_stop_requested,
                                std::chrono::nanoseconds grace) {
  detail::ServiceLoop loop(io, stop, std::move(on_stop_requested), grace);
  g_io = &io;
  g_loop = &loop;
  SetConsoleCtrlHandler(on_console_event, TRUE);
  ServiceResult result = loop.run(std::move(body), [] {});
  SetConsoleCtrlHandler(on_console_event, FALSE);
  g_loop = nullptr;
  g_io = nullptr;
  return result;
}

}  // namespace ecs::platform
