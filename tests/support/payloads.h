// PayloadMessages for tests: tasks with one container "app" running ECS Exec, and task role
// credentials whose secrets say what they are ("secret-of-<id>", "token-of-<id>").
#pragma once

#include <string>
#include <vector>

#include "acs/model.h"

namespace ecs::test {

inline acs::IAMRoleCredentials role(const std::string& id) {
  acs::IAMRoleCredentials c;
  c.credentialsId = id;
  c.roleArn = "arn:aws:iam::123456789012:role/app";
  c.accessKeyId = "ASIA" + id;
  c.secretAccessKey = "secret-of-" + id;
  c.sessionToken = "token-of-" + id;
  c.expiration = "2026-11-23T12:00:00Z";
  return c;
}

// Task ARNs end in two characters that name their credentials: arn:task/t1 -> cred-t1.
inline acs::PayloadMessage payload(std::int64_t seq, const std::vector<std::string>& arns) {
  acs::PayloadMessage m;
  m.messageId = "msg-" + std::to_string(seq);
  m.clusterArn = "default";
  m.containerInstanceArn = "arn:ci";
  m.seqNum = seq;
  m.tasks.emplace();
  for (const auto& arn : arns) {
    acs::Task t;
    t.arn = arn;
    t.family = "web";
    t.version = "1";
    t.desiredStatus = "RUNNING";
    t.roleCredentials = role("cred-" + arn.substr(arn.size() - 2));
    acs::Container c;
    c.name = "app";
    c.image = "busybox";
    c.essential = true;
    acs::ManagedAgent agent;
    agent.name = "ExecuteCommandAgent";
    agent.properties = acs::StringMap::value_type{{"sessionLimit", "2"}};
    c.managedAgents = std::vector<acs::ManagedAgent>{agent};
    t.containers = std::vector<acs::Container>{c};
    m.tasks->push_back(t);
  }
  return m;
}

}  // namespace ecs::test
