// In-memory implementations of the responders' collaborators: enough to run the session end to
// end (tests, and the agent until the durable runtime replaces them). Single io thread only.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "acs/interfaces.h"

namespace ecs::acs {

class InMemoryCredentialsStore : public CredentialsStore {
 public:
  Result<void> set_task_credentials(const TaskCredentials& credentials) override;
  std::optional<TaskCredentials> get_task_credentials(const std::string& credentials_id) const override;
  void remove_task_credentials(const std::string& credentials_id) override;
  std::size_t size() const { return by_id_.size(); }

 private:
  std::map<std::string, TaskCredentials> by_id_;
};

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
class InMemoryTaskEngine : public PayloadHandler,
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

  InMemoryTaskEngine(CredentialsStore& credentials, SequenceNumber& sequence)
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

}  // namespace ecs::acs
