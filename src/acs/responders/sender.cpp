#include "acs/responders/sender.h"

#include "core/log.h"

namespace ecs::acs {

namespace {

void log_failure(const Message& message, const Error& error) {
  log::warn("sending to ACS failed", {{"type", std::string(type_name(message))}, {"error", error.message}});
}

}  // namespace

asio::awaitable<Result<void>> Sender::send(const Message& message) const {
  auto client = client_.lock();
  if (!client) co_return make_error(AcsErrc::not_connected, "the ACS connection is gone");
  auto result = co_await client->send(message);
  if (!result) log_failure(message, result.error());
  co_return result;
}

void Sender::send_in_background(const Message& message) const {
  auto client = client_.lock();
  if (!client) {
    log::warn("not sending to ACS: the connection is gone", {{"type", std::string(type_name(message))}});
    return;
  }
  asio::co_spawn(
      client->executor(),
      [client, message]() -> asio::awaitable<void> {
        auto result = co_await client->send(message);
        if (!result) log_failure(message, result.error());
      },
      asio::detached);
}

}  // namespace ecs::acs
