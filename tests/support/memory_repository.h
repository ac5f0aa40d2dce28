// A state::Repository in memory for tests: what was written, by kind, and a switch that makes
// every write fail as a full or read-only disk would.
#pragma once

#include <map>
#include <string>

#include "state/errors.h"
#include "state/repository.h"

namespace ecs::test {

class MemoryRepository : public state::Repository {
 public:
  Result<state::SavedState> load() override {
    state::SavedState s;
    s.instance = instance;
    for (const auto& [arn, t] : tasks) s.tasks.push_back(t);
    for (const auto& [arn, a] : attachments) s.attachments.push_back(a);
    return s;
  }
  Result<void> save_instance(const state::InstanceRecord& i) override {
    if (auto f = check(); !f) return f;
    instance = i;
    return {};
  }
  Result<void> save_task(const task::Task& t) override {
    if (auto f = check(); !f) return f;
    tasks[t.arn] = t;
    ++task_writes;
    return {};
  }
  Result<void> remove_task(const std::string& arn) override {
    if (auto f = check(); !f) return f;
    tasks.erase(arn);
    return {};
  }
  Result<void> save_attachment(const state::AttachmentRecord& a) override {
    if (auto f = check(); !f) return f;
    attachments[a.arn] = a;
    return {};
  }
  Result<void> remove_attachment(const std::string& arn) override {
    if (auto f = check(); !f) return f;
    attachments.erase(arn);
    return {};
  }
  bool last_write_ok() const override { return last_ok; }

  bool fail_writes = false;
  bool last_ok = true;
  int task_writes = 0;
  state::InstanceRecord instance;
  std::map<std::string, task::Task> tasks;
  std::map<std::string, state::AttachmentRecord> attachments;

 private:
  Result<void> check() {
    last_ok = !fail_writes;
    if (fail_writes) return make_error(state::StateErrc::io, "cannot write a record: disk full (test)");
    return {};
  }
};

}  // namespace ecs::test
