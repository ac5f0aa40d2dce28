// StageUpdateMessage / PerformUpdateMessage (acs-protocol.md §5.9). With updates disabled (the
// default) both are answered NackRequest "Updates are disabled". Enabled: stage downloads the
// tarball, checks its SHA-256 against the signature and writes <dir>/desired-image; perform
// acknowledges, lets the agent save its state and exits with code 42 for the supervisor to load
// the new image. Both run on the read loop, one at a time, as in the reference.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "acs/interfaces.h"
#include "acs/responders/sender.h"

namespace ecs::acs {

inline constexpr int kUpdateExitCode = 42;

class UpdateDownloader {
 public:
  virtual ~UpdateDownloader() = default;
  // Downloads `url` to `path`; returns the lowercase hex SHA-256 of what was written.
  virtual asio::awaitable<Result<std::string>> download(const std::string& url, const std::string& path) = 0;
};

struct UpdateOptions {
  bool enabled = false;      // ECS_UPDATES_ENABLED
  std::string download_dir;  // ECS_UPDATE_DOWNLOAD_DIR
};

class UpdateResponder {
 public:
  // exit_for_update: saves state and ends the process with kUpdateExitCode.
  UpdateResponder(UpdateOptions options, UpdateDownloader* downloader, std::function<void()> exit_for_update)
      : options_(std::move(options)), downloader_(downloader), exit_for_update_(std::move(exit_for_update)) {}
  void register_on(const std::shared_ptr<Connection>& client);
  asio::awaitable<void> stage(const StageUpdateMessage& message, const Sender& sender);
  asio::awaitable<void> perform(const PerformUpdateMessage& message, const Sender& sender);

 private:
  enum class Stage { none, downloading, downloaded };
  template <class M>
  asio::awaitable<void> nack(const M& message, const std::string& message_id, const std::string& reason,
                             const Sender& sender);
  template <class M>
  asio::awaitable<void> ack(const M& message, const Sender& sender);
  void reset() {
    stage_ = Stage::none;
    signature_.clear();
    stage_message_id_.clear();
  }

  UpdateOptions options_;
  UpdateDownloader* downloader_;
  std::function<void()> exit_for_update_;
  Stage stage_ = Stage::none;
  std::string signature_;
  std::string stage_message_id_;
};

}  // namespace ecs::acs
