#include "acs/responders/update_responder.h"

#include <filesystem>
#include <fstream>
#include <random>

#include "core/digest.h"
#include "core/log.h"

namespace ecs::acs {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::string random_hex() {
  std::random_device rd;
  std::uint8_t bytes[16];
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rd());
  return hex(bytes);
}

}  // namespace

void UpdateResponder::register_on(const std::shared_ptr<Connection>& client) {
  Sender sender(client);
  client->on<StageUpdateMessage>([this, sender](const StageUpdateMessage& m) { return stage(m, sender); });
  client->on<PerformUpdateMessage>(
      [this, sender](const PerformUpdateMessage& m) { return perform(m, sender); });
}

template <class M>
asio::awaitable<void> UpdateResponder::nack(const M& message, const std::string& message_id,
                                            const std::string& reason, const Sender& sender) {
  NackRequest n;
  n.cluster = message.clusterArn;
  n.containerInstance = message.containerInstanceArn;
  n.messageId = message_id;
  n.reason = reason;
  log::info("refusing an agent update", {{"messageId", message_id}, {"reason", reason}});
  const Message reply(std::move(n));
  (void)co_await sender.send(reply);  // send errors are ignored, as in the reference
}

template <class M>
asio::awaitable<void> UpdateResponder::ack(const M& message, const Sender& sender) {
  AckRequest a;
  a.cluster = message.clusterArn;
  a.containerInstance = message.containerInstanceArn;
  a.messageId = message.messageId;
  const Message reply(std::move(a));
  (void)co_await sender.send(reply);
}

asio::awaitable<void> UpdateResponder::stage(const StageUpdateMessage& m, const Sender& sender) {
  if (!m.messageId) {
    log::warn("dropping a StageUpdateMessage without messageId");
    co_return;
  }
  const std::string id = *m.messageId;
  if (!options_.enabled || downloader_ == nullptr) {
    co_await nack(m, id, "Updates are disabled", sender);
    reset();
    co_return;
  }
  std::string problem;
  if (!m.updateInfo)
    problem = "Invalid update: no update info given";
  else if (!m.updateInfo->location)
    problem = "Invalid update: no location given";
  else if (!m.updateInfo->signature)
    problem = "Invalid update: no signature given";
  if (!problem.empty()) {
    co_await nack(m, id, problem, sender);
    reset();
    co_return;
  }
  const std::string signature = trim(*m.updateInfo->signature);
  if (stage_ != Stage::none) {
    if (signature == signature_) {
      co_await ack(m, sender);  // the same update again: no second download
      co_return;
    }
    co_await nack(m, stage_message_id_, "New update arrived: " + id, sender);
  }
  signature_ = signature;
  stage_message_id_ = id;
  stage_ = Stage::downloading;
  const std::filesystem::path dir = options_.download_dir;
  const std::string file = random_hex() + ".ecs-update.tar";
  auto digest = co_await downloader_->download(*m.updateInfo->location, (dir / file).string());
  std::string failure;
  if (!digest) {
    failure = "Unable to download: " + digest.error().message;
  } else {
    std::string expected = signature;
    std::transform(expected.begin(), expected.end(), expected.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (*digest != expected) {
      failure = "Unable to download: Hashsum validation failed";
    } else {
      std::ofstream desired(dir / "desired-image", std::ios::trunc);
      desired << file << "\n";
      if (!desired.flush()) failure = "Unable to download: cannot write " + (dir / "desired-image").string();
    }
  }
  if (!failure.empty()) {
    co_await nack(m, id, failure, sender);
    reset();
    co_return;
  }
  stage_ = Stage::downloaded;
  co_await ack(m, sender);
}

asio::awaitable<void> UpdateResponder::perform(const PerformUpdateMessage& m, const Sender& sender) {
  const std::string id = m.messageId.value_or("");
  if (!options_.enabled || downloader_ == nullptr) {
    co_await nack(m, id, "Updates are disabled", sender);
    co_return;
  }
  if (stage_ != Stage::downloaded) {
    co_await nack(m, id, "Cannot perform update; update not downloaded", sender);
    co_return;
  }
  co_await ack(m, sender);
  log::info("performing the staged agent update: exiting with code 42");
  if (exit_for_update_) exit_for_update_();
}

}  // namespace ecs::acs
