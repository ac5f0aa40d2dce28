// Test doubles for the ACS responders' collaborators (the agent's own are in src/handlers/):
// in-memory sequence number and manifest id, a payload handler that records tasks by ARN (and
// compares them with manifests and stops them), recording attachment handlers, a fixed doctor.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "acs/interfaces.h"
#include "credentials/store.h"

namespace ecs::test {

using acs::AckFunction;
using acs::AckRequest;
using acs::CredentialsMetadata;
using acs::CredentialsStore;
using acs::Doctor;
using acs::EniAttachment;
using acs::EniHandler;
using acs::IAMRoleCredentials;
using acs::IAMRoleCredentialsAckRequest;
using acs::IAMRoleCredentialsMessage;
using acs::kRoleTaskApplication;
using acs::kRoleTaskExecution;
using acs::ManifestMessageId;
using acs::PayloadHandler;
using acs::PayloadMessage;
using acs::ResourceAttachment;
using acs::ResourceHandler;
using acs::SequenceNumber;
using acs::Task;
using acs::TaskComparer;
using acs::TaskCredentials;
using acs::TaskIdentifier;
using acs::TaskManifestMessage;
using acs::TaskStopper;

class InMemorySequenceNumber : public SequenceNumber {
 public:
  std::int64_t latest() const override { return value_; }
  Result<void> set_latest(std::int64_t value) override {
    value_ = value;
    return {};
  }

 private:
  std::int64_t value_ = -1;  // the reference's initial task-manifest-seq-num
};

class InMemoryManifestMessageId : public ManifestMessageId {
 public:
  std::string get() const override { return id_; }
  Result<void> set(const std::string& id) override {
    id_ = id;
    return {};
  }

 private:
  std::string id_;
};

// Tasks from payloads, by ARN: adds them, records their credentials ids, raises the sequence
// number, compares them with manifests and stops them.
class FakePayloadHandler : public PayloadHandler,
                           public CredentialsMetadata,
                           public TaskComparer,
                           public TaskStopper {
 public:
  struct TaskRecord {
    std::string arn;
    std::string family;
    std::string version;
    std::string desired_status;
    std::string credentials_id;
    std::string execution_credentials_id;
  };

  FakePayloadHandler(CredentialsStore& credentials, SequenceNumber& sequence)
      : credentials_(credentials), sequence_(sequence) {}

  asio::awaitable<Result<void>> process(const PayloadMessage& message, AckFunction ack) override;
  Result<void> set_task_role_credentials(const IAMRoleCredentialsMessage& message) override;
  Result<void> set_execution_role_credentials(const IAMRoleCredentialsMessage& message) override;
  Result<std::vector<TaskIdentifier>> compare_running_tasks_with_manifest(
      const TaskManifestMessage& manifest) override;
  Result<void> stop_task(const std::string& task_arn) override;

  const std::map<std::string, TaskRecord>& tasks() const { return tasks_; }

 private:
  Result<void> record_credentials(const IAMRoleCredentialsMessage& message, bool execution);
  CredentialsStore& credentials_;
  SequenceNumber& sequence_;
  std::map<std::string, TaskRecord> tasks_;
};

class RecordingEniHandler : public EniHandler {
 public:
  Result<void> handle_eni_attachment(const EniAttachment& attachment) override {
    attachments.push_back(attachment);
    return {};
  }
  std::vector<EniAttachment> attachments;
};

class RecordingResourceHandler : public ResourceHandler {
 public:
  Result<void> handle_resource_attachment(const ResourceAttachment& attachment) override {
    attachments.push_back(attachment);
    return {};
  }
  std::vector<ResourceAttachment> attachments;
};

class StaticDoctor : public Doctor {
 public:
  explicit StaticDoctor(bool healthy = true) : healthy_(healthy) {}
  bool run_health_checks() override {
    ++runs;
    return healthy_;
  }
  int runs = 0;

 private:
  bool healthy_;
};

}  // namespace ecs::test
