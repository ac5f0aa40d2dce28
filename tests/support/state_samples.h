// A deterministic stream of commits for the crash test: commit k writes, in one transaction,
// the task of slot k % 5 (content and size depending on k), removes the task of slot (k+2) % 5
// when k is a multiple of 7, and the instance record with seq_num k. From the seq_num of a
// loaded state alone a test can tell which commit it is and what every record must then hold.
#pragma once

#include <map>
#include <string>

#include "state/repository.h"

namespace ecs::test {

inline std::string sample_slot_arn(std::int64_t slot) {
  return "arn:aws:ecs:us-west-2:123456789012:task/c/slot-" + std::to_string(slot);
}

inline task::Task sample_task(std::int64_t k) {
  task::Task t;
  t.arn = sample_slot_arn(k % 5);
  t.family = std::string(static_cast<std::size_t>((k * 31) % 4000), 'f');
  t.version = std::to_string(k);
  t.desired_status = k % 2 == 0 ? task::TaskStatus::running : task::TaskStatus::stopped;
  t.known_status = task::TaskStatus::running;
  t.credentials_id = "cred-" + std::to_string(k);
  for (std::int64_t i = 0; i < k % 4 + 1; ++i) {
    task::Container c;
    c.name = "app-" + std::to_string(i);
    c.image = "busybox";
    c.docker_id = std::to_string(k * 1000 + i);
    c.known_status = task::ContainerStatus::running;
    c.environment["K"] = std::to_string(k);
    t.containers.push_back(c);
  }
  return t;
}

inline state::InstanceRecord sample_instance(std::int64_t k) {
  return {"cluster-" + std::to_string(k % 3),
          "arn:aws:ecs:us-west-2:123456789012:container-instance/c/" + std::to_string(k), k,
          "manifest-" + std::to_string(k)};
}

// Commit k through `r`.
inline Result<void> commit_sample(std::int64_t k, state::Repository& r) {
  Result<void> failed;
  auto keep = [&](Result<void> w) {
    if (!w && failed) failed = w;
  };
  auto committed = r.write_together([&] {
    keep(r.save_task(sample_task(k)));
    if (k % 7 == 0) keep(r.remove_task(sample_slot_arn((k + 2) % 5)));
    keep(r.save_instance(sample_instance(k)));
  });
  if (!failed) return failed;
  return committed;
}

// The tasks after commits 1..seq. Every slot is rewritten every 5 commits, so the last 20 decide.
inline std::map<std::string, task::Task> sample_tasks_after(std::int64_t seq) {
  std::map<std::string, task::Task> tasks;
  for (std::int64_t k = seq > 20 ? seq - 20 : 1; k <= seq; ++k) {
    task::Task t = sample_task(k);
    tasks[t.arn] = std::move(t);
    if (k % 7 == 0) tasks.erase(sample_slot_arn((k + 2) % 5));
  }
  return tasks;
}

}  // namespace ecs::test
