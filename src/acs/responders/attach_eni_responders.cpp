#include "acs/responders/attach_eni_responders.h"

#include <boost/asio/post.hpp>

#include "acs/responders/eni_validation.h"
#include "core/log.h"

namespace ecs::acs {

namespace {

Error invalid(std::string text) {
  return make_error(errc::make_error_code(errc::invalid_argument), std::move(text));
}
bool empty(const String& s) { return !s || s->empty(); }

// The checks both messages share, in the reference's order; task_arn is null for instance ENIs.
template <class M>
Result<void> validate_common(const M* m, const String* task_arn) {
  if (m == nullptr) return invalid("Message is empty");
  if (empty(m->messageId)) return invalid("Message ID is not set");
  const std::string& id = *m->messageId;
  if (empty(m->clusterArn)) return invalid("clusterArn is not set for message ID " + id);
  if (empty(m->containerInstanceArn)) return invalid("containerInstanceArn is not set for message ID " + id);
  if (task_arn != nullptr && empty(*task_arn)) return invalid("taskArn is not set for message ID " + id);
  if (!m->waitTimeoutMs || *m->waitTimeoutMs <= 0) return invalid("Invalid timeout set for message ID " + id);
  if (!m->elasticNetworkInterfaces || m->elasticNetworkInterfaces->empty()) {
    return invalid("No ENIs for message ID " + id);
  }
  for (const auto& eni : *m->elasticNetworkInterfaces) {
    if (auto r = validate_eni(eni); !r) return r;
  }
  return {};
}

template <class M>
void attach(const M& m, const std::string& task_arn, const std::string& type, EniHandler& handler,
            asio::any_io_executor executor, const Sender& sender) {
  const auto expires = attachment_expiry(*m.waitTimeoutMs, std::chrono::steady_clock::now());
  for (const auto& eni : *m.elasticNetworkInterfaces) {
    EniAttachment a{task_arn,      eni.attachmentArn.value_or(""), type,   eni.macAddress.value_or(""),
                    *m.clusterArn, *m.containerInstanceArn,        expires};
    asio::post(executor, [&handler, a] {
      if (auto r = handler.handle_eni_attachment(a); !r) {
        log::error("ENI attachment failed",
                   {{"attachmentArn", a.attachment_arn}, {"error", r.error().message}});
      }
    });
  }
  AckRequest ack;
  ack.cluster = m.clusterArn;
  ack.containerInstance = m.containerInstanceArn;
  ack.messageId = m.messageId;
  sender.send_in_background(Message(std::move(ack)));
}

}  // namespace

Result<void> validate_attach_task_eni(const AttachTaskNetworkInterfacesMessage* m) {
  return validate_common(m, m != nullptr ? &m->taskArn : nullptr);
}

Result<void> validate_attach_instance_eni(const AttachInstanceNetworkInterfacesMessage* m) {
  return validate_common(m, static_cast<const String*>(nullptr));
}

void AttachTaskEniResponder::register_on(const std::shared_ptr<Connection>& client) {
  Sender sender(client);
  client->on<AttachTaskNetworkInterfacesMessage>(
      [this, sender](const AttachTaskNetworkInterfacesMessage& m) { return handle(m, sender); });
}

asio::awaitable<void> AttachTaskEniResponder::handle(const AttachTaskNetworkInterfacesMessage& m,
                                                     const Sender& sender) {
  if (auto valid = validate_attach_task_eni(&m); !valid) {
    log::warn("dropping an invalid AttachTaskNetworkInterfacesMessage", {{"error", valid.error().message}});
    co_return;
  }
  const auto executor = co_await asio::this_coro::executor;
  attach(m, *m.taskArn, "task-eni", handler_, executor, sender);
}

void AttachInstanceEniResponder::register_on(const std::shared_ptr<Connection>& client) {
  Sender sender(client);
  client->on<AttachInstanceNetworkInterfacesMessage>(
      [this, sender](const AttachInstanceNetworkInterfacesMessage& m) { return handle(m, sender); });
}

asio::awaitable<void> AttachInstanceEniResponder::handle(const AttachInstanceNetworkInterfacesMessage& m,
                                                         const Sender& sender) {
  if (auto valid = validate_attach_instance_eni(&m); !valid) {
    log::warn("dropping an invalid AttachInstanceNetworkInterfacesMessage",
              {{"error", valid.error().message}});
    co_return;
  }
  const auto executor = co_await asio::this_coro::executor;
  attach(m, "", "instance-eni", handler_, executor, sender);
}

}  // namespace ecs::acs
