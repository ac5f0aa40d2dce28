#include "acs/responders/task_manifest_responder.h"

#include "core/async_event.h"
#include "core/log.h"

namespace ecs::acs {

void TaskManifestResponder::register_on(const std::shared_ptr<Connection>& client) {
  Sender sender(client);
  client->on<TaskManifestMessage>([this, sender](const TaskManifestMessage& m) { return handle(m, sender); });
}

asio::awaitable<void> TaskManifestResponder::handle(const TaskManifestMessage& message,
                                                    const Sender& sender) {
  constexpr std::string_view kMetric = "TaskManifestResponder.Duration";
  const std::int64_t timeline = message.timeline.value_or(0);
  const std::int64_t latest = sequence_.latest();
  if (timeline <= latest) {
    log::warn("dropping a stale TaskManifestMessage", {{"messageId", message.messageId.value_or("")},
                                                       {"timeline", std::to_string(timeline)},
                                                       {"latestSequenceNumber", std::to_string(latest)}});
    metrics_.done(kMetric, {});
    co_return;
  }
  auto fail = [&](const std::string& what, const Error& e) {
    log::error("TaskManifestMessage not handled", {{"error", what + e.message}});
    metrics_.done(kMetric, e.code);
  };
  if (auto r = manifest_id_.set(message.messageId.value_or("")); !r) {
    fail("failed to update latest manifest messageID: ", r.error());
    co_return;
  }
  if (auto r = sequence_.set_latest(timeline); !r) {
    fail("failed to update latest manifest sequence number: ", r.error());
    co_return;
  }
  auto candidates = comparer_.compare_running_tasks_with_manifest(message);
  if (!candidates) {
    fail("", candidates.error());
    co_return;
  }
  // Both answers go out concurrently; the handler (and so the read loop) waits for both.
  AckRequest ack;
  ack.cluster = message.clusterArn;
  ack.containerInstance = message.containerInstanceArn;
  ack.messageId = message.messageId;
  const Message ack_message(std::move(ack));
  auto executor = co_await asio::this_coro::executor;
  auto pending = std::make_shared<int>(1);
  auto all_sent = std::make_shared<AsyncEvent>(executor);
  auto send = [&sender, pending, all_sent, executor](Message m) {
    asio::co_spawn(
        executor,
        [sender, m = std::move(m), pending, all_sent]() -> asio::awaitable<void> {
          auto sent = co_await sender.send(m);  // a failure is logged by the sender
          (void)sent;
          if (--*pending == 0) all_sent->set();
        },
        asio::detached);
  };
  if (!candidates->empty()) {
    ++*pending;
    TaskStopVerificationMessage verification;
    verification.messageId = message.messageId;
    verification.stopCandidates = std::move(*candidates);
    send(Message(std::move(verification)));
  }
  send(ack_message);
  co_await all_sent->wait();
  metrics_.done(kMetric, {});
}

}  // namespace ecs::acs
