// A deterministic agent state for each number k, different in every member and in size, so a
// test can tell from a loaded state alone which commit it is and that nothing in it is mixed.
#pragma once

#include <string>

#include "state/agent_state.h"

namespace ecs::test {

inline state::AgentState sample_state(std::int64_t k) {
  state::AgentState s;
  s.cluster = "cluster-" + std::to_string(k % 3);
  s.container_instance_arn = "arn:aws:ecs:us-west-2:123456789012:container-instance/c/" + std::to_string(k);
  s.seq_num = k;
  s.manifest_message_id = "manifest-" + std::to_string(k);
  const int tasks = static_cast<int>(k % 7) + 1;
  for (int i = 0; i < tasks; ++i) {
    state::TaskRecord t;
    t.arn = "arn:aws:ecs:us-west-2:123456789012:task/c/" + std::to_string(k) + "-" + std::to_string(i);
    t.family = std::string(static_cast<std::size_t>((k * 31 + i) % 400), 'f');
    t.version = std::to_string(k);
    t.desired_status = (k + i) % 2 == 0 ? "RUNNING" : "STOPPED";
    t.known_status = "RUNNING";
    t.credentials_id = "cred-" + std::to_string(k) + "-" + std::to_string(i);
    state::ContainerRecord c;
    c.name = "app-" + std::to_string(i);
    c.runtime_id = std::to_string(k * 1000 + i);
    c.known_status = "RUNNING";
    t.containers.push_back(c);
    s.tasks.push_back(t);
  }
  state::AttachmentRecord a;
  a.arn = "arn:aws:ecs:us-west-2:123456789012:attachment/" + std::to_string(k);
  a.type = "eni";
  a.status = "ATTACHED";
  a.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000 + k));
  s.attachments.push_back(a);
  return s;
}

}  // namespace ecs::test
