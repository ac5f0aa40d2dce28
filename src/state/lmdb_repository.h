// The durable store: one LMDB environment, <ECS_DATADIR>/agent.db (and LMDB's agent.db-lock),
// with a database per record kind — "instance" (one record), "tasks" (by task ARN),
// "attachments" (by ARN). Every write is its own transaction, committed and synced before it
// returns (LMDB's copy-on-write B-tree: a crash leaves the last committed transaction), and
// costs the pages of the one record, whatever else is kept (the design ancestor of the
// reference's bbolt, operations.md §4.4). The map grows by doubling when full.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "state/repository.h"

namespace ecs::state {

struct LmdbOptions {
  std::size_t initial_map_bytes = 64u << 20;  // virtual address space, not disk: the file grows
  std::size_t max_map_bytes = 8ull << 30;
};

class LmdbRepository : public Repository {
 public:
  // Opens (creates) <dir>/agent.db. Errors: StateErrc::io naming the file and LMDB's reason.
  static Result<std::unique_ptr<LmdbRepository>> open(const std::string& dir, LmdbOptions options = {});
  ~LmdbRepository() override;
  LmdbRepository(const LmdbRepository&) = delete;
  LmdbRepository& operator=(const LmdbRepository&) = delete;

  // Every record; one that cannot be decoded is StateErrc::bad_state naming its key.
  Result<SavedState> load() override;
  Result<void> save_instance(const InstanceRecord& instance) override;
  Result<void> save_task(const task::Task& task) override;
  Result<void> remove_task(const std::string& task_arn) override;
  Result<void> save_attachment(const AttachmentRecord& attachment) override;
  Result<void> remove_attachment(const std::string& arn) override;
  bool last_write_ok() const override { return last_write_ok_; }
  // One LMDB transaction for every write `writes` makes (nested calls join the outer one).
  Result<void> write_together(const std::function<void()>& writes) override;

  const std::string& path() const { return path_; }
  // Whether nothing has been written yet (a first start, or a legacy state to import).
  Result<bool> empty();

 private:
  struct Env;
  LmdbRepository(std::unique_ptr<Env> env, std::string path, LmdbOptions options);
  enum class Table { instance, tasks, attachments };
  struct Write {
    Table table;
    std::string key;
    std::optional<std::string> value;  // none: delete
  };
  Result<void> put(Table table, const std::string& key, std::string value);
  Result<void> erase(Table table, const std::string& key);
  // Applies `writes` in one transaction, growing the map when it is full.
  Result<void> commit(const std::vector<Write>& writes);

  std::unique_ptr<Env> env_;
  std::string path_;
  LmdbOptions options_;
  bool last_write_ok_ = true;
  std::optional<std::vector<Write>> batch_;  // inside write_together
};

}  // namespace ecs::state
