// What the ACS responders need from the rest of the agent, as narrow interfaces (the reference
// injects the same collaborators into its session). The agent's implementations are in
// src/handlers/ (one adapter per interface); tests/support has doubles.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acs/model.h"
#include "core/asio.h"
#include "core/error.h"
#include "credentials/store.h"

namespace ecs::acs {

// The credentials themselves are the credentials store's (credentials/store.h).
using credentials::CredentialsStore;
using credentials::kRoleTaskApplication;
using credentials::kRoleTaskExecution;
using credentials::TaskCredentials;

// The store's record of the role credentials ACS sent for a task (`role`: kRoleTask*).
inline TaskCredentials task_credentials(const std::string& task_arn, std::string_view role,
                                        const IAMRoleCredentials& rc) {
  return TaskCredentials{task_arn,
                         std::string(role),
                         rc.credentialsId.value_or(""),
                         rc.roleArn.value_or(""),
                         rc.accessKeyId.value_or(""),
                         rc.secretAccessKey.value_or(""),
                         rc.sessionToken.value_or(""),
                         rc.expiration.value_or("")};
}

// Records which credentials id belongs to which task (the reference's "metadata setters").
class CredentialsMetadata {
 public:
  virtual ~CredentialsMetadata() = default;
  virtual Result<void> set_task_role_credentials(const IAMRoleCredentialsMessage& message) = 0;
  virtual Result<void> set_execution_role_credentials(const IAMRoleCredentialsMessage& message) = 0;
};

using AckFunction = std::function<void(const AckRequest&, const std::vector<IAMRoleCredentialsAckRequest>&)>;

// Adds the payload's tasks to the agent; calls `ack` (from any point, at most once) only when
// every task was handled.
class PayloadHandler {
 public:
  virtual ~PayloadHandler() = default;
  virtual asio::awaitable<Result<void>> process(const PayloadMessage& message, AckFunction ack) = 0;
};

struct EniAttachment {
  std::string task_arn;  // empty for instance ENIs
  std::string attachment_arn;
  std::string attachment_type;  // "task-eni" / "instance-eni"
  std::string mac_address;
  std::string cluster_arn;
  std::string container_instance_arn;
  std::chrono::steady_clock::time_point expires_at;
};

class EniHandler {
 public:
  virtual ~EniHandler() = default;
  virtual Result<void> handle_eni_attachment(const EniAttachment& attachment) = 0;
};

struct ResourceAttachment {
  std::string task_arn;
  std::string task_cluster_arn;
  std::string cluster_arn;
  std::string container_instance_arn;
  std::string attachment_arn;
  std::string attachment_type;
  std::map<std::string, std::string> properties;
  std::chrono::steady_clock::time_point expires_at;
};

class ResourceHandler {
 public:
  virtual ~ResourceHandler() = default;
  virtual Result<void> handle_resource_attachment(const ResourceAttachment& attachment) = 0;
};

// The latest sequence number, shared by PayloadMessage.seqNum and TaskManifestMessage.timeline.
class SequenceNumber {
 public:
  virtual ~SequenceNumber() = default;
  virtual std::int64_t latest() const = 0;
  virtual Result<void> set_latest(std::int64_t value) = 0;
};

// The messageId of the last accepted TaskManifestMessage.
class ManifestMessageId {
 public:
  virtual ~ManifestMessageId() = default;
  virtual std::string get() const = 0;
  virtual Result<void> set(const std::string& id) = 0;
};

class TaskComparer {
 public:
  virtual ~TaskComparer() = default;
  // Tasks running here (desired RUNNING) that the manifest does not list as RUNNING.
  virtual Result<std::vector<TaskIdentifier>> compare_running_tasks_with_manifest(
      const TaskManifestMessage& manifest) = 0;
};

class TaskStopper {
 public:
  virtual ~TaskStopper() = default;
  virtual Result<void> stop_task(const std::string& task_arn) = 0;
};

class Doctor {
 public:
  virtual ~Doctor() = default;
  // Runs every health check; true iff all are healthy (or still initialising).
  virtual bool run_health_checks() = 0;
};

// Metrics the session and responders emit (acs-protocol.md Appendix C). The shipped agent,
// like the reference, passes a no-op sink; tests pass a recorder and assert the call pattern.
class Metrics {
 public:
  virtual ~Metrics() = default;
  virtual void done(std::string_view name, const error_code& result) = 0;
  virtual void gauge(std::string_view name, double value) = 0;
};

class NoMetrics : public Metrics {
 public:
  void done(std::string_view, const error_code&) override {}
  void gauge(std::string_view, double) override {}
};

}  // namespace ecs::acs
