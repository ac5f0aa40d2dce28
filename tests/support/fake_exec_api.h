// A scripted Docker exec API for the exec manager's unit tests (the reference's mock client):
// each call runs its handler and is recorded; unset handlers fail the call.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "dockerapi/client.h"

namespace ecs::test {

class FakeExecApi : public dockerapi::ExecApi {
 public:
  struct CreateCall {
    std::string container_id;
    dockerapi::ExecConfig config;
    std::chrono::nanoseconds timeout;
  };
  struct IdCall {
    std::string id;
    std::chrono::nanoseconds timeout;
  };

  std::function<Result<std::string>(const CreateCall&)> on_create;
  std::function<Result<void>(const IdCall&)> on_start;
  std::function<Result<dockerapi::ExecInspect>(const IdCall&)> on_inspect;
  std::function<Result<dockerapi::TopResult>(const IdCall&)> on_top;
  // Runs before each call (tests use it to stop a token or count concurrency).
  std::function<asio::awaitable<void>()> before_call;

  std::vector<CreateCall> creates;
  std::vector<IdCall> starts, inspects, tops;

  asio::awaitable<Result<std::string>> create_exec(std::string container_id, dockerapi::ExecConfig config,
                                                   std::chrono::nanoseconds timeout, StopToken) override {
    if (before_call) co_await before_call();
    creates.push_back({container_id, config, timeout});
    if (!on_create) co_return unset("create_exec");
    co_return on_create(creates.back());
  }
  asio::awaitable<Result<void>> start_exec(std::string exec_id, bool, bool, std::chrono::nanoseconds timeout,
                                           StopToken) override {
    if (before_call) co_await before_call();
    starts.push_back({exec_id, timeout});
    if (!on_start) co_return unset("start_exec");
    co_return on_start(starts.back());
  }
  asio::awaitable<Result<dockerapi::ExecInspect>> inspect_exec(std::string exec_id,
                                                               std::chrono::nanoseconds timeout,
                                                               StopToken) override {
    if (before_call) co_await before_call();
    inspects.push_back({exec_id, timeout});
    if (!on_inspect) co_return unset("inspect_exec");
    co_return on_inspect(inspects.back());
  }
  asio::awaitable<Result<dockerapi::TopResult>> top(std::string container_id,
                                                    std::chrono::nanoseconds timeout, StopToken) override {
    if (before_call) co_await before_call();
    tops.push_back({container_id, timeout});
    if (!on_top) co_return unset("top");
    co_return on_top(tops.back());
  }

  static Error unset(const char* what) {
    return make_error(dockerapi::DockerErrc::daemon_error, std::string("unexpected call: ") + what);
  }
};

}  // namespace ecs::test
