#include "state/lmdb_repository.h"

#include <lmdb.h>

#include <filesystem>

#include "core/log.h"
#include "state/codec.h"
#include "state/errors.h"

namespace ecs::state {
namespace {

constexpr const char* kInstanceKey = "instance";

Error lmdb_error(const std::string& what, const std::string& path, int rc) {
  return make_error(StateErrc::io, what + " '" + path + "': " + mdb_strerror(rc));
}

MDB_val val(const std::string& s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

}  // namespace

struct LmdbRepository::Env {
  MDB_env* env = nullptr;
  MDB_dbi instance = 0;
  MDB_dbi tasks = 0;
  MDB_dbi attachments = 0;
  std::size_t map_bytes = 0;
  ~Env() {
    if (env != nullptr) mdb_env_close(env);
  }
  MDB_dbi dbi(Table t) const {
    switch (t) {
      case Table::instance:
        return instance;
      case Table::tasks:
        return tasks;
      case Table::attachments:
        return attachments;
    }
    return instance;
  }
};

Result<std::unique_ptr<LmdbRepository>> LmdbRepository::open(const std::string& dir, LmdbOptions options) {
  const std::string path = (std::filesystem::path(dir) / "agent.db").string();
  auto env = std::make_unique<Env>();
  int rc = mdb_env_create(&env->env);
  if (rc != 0) return lmdb_error("cannot create the state store for", path, rc);
  env->map_bytes = options.initial_map_bytes;
  // An existing file larger than the initial map keeps its size (LMDB raises the map to it).
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > env->map_bytes) env->map_bytes = static_cast<std::size_t>(size) * 2;
  mdb_env_set_mapsize(env->env, env->map_bytes);
  mdb_env_set_maxdbs(env->env, 4);
  rc = mdb_env_open(env->env, path.c_str(), MDB_NOSUBDIR | MDB_NOTLS, 0600);
  if (rc != 0) return lmdb_error("cannot open the state store", path, rc);
  MDB_txn* txn = nullptr;
  rc = mdb_txn_begin(env->env, nullptr, 0, &txn);
  if (rc != 0) return lmdb_error("cannot begin a transaction on", path, rc);
  for (auto [name, dbi] : {std::pair{"instance", &env->instance}, std::pair{"tasks", &env->tasks},
                           std::pair{"attachments", &env->attachments}}) {
    rc = mdb_dbi_open(txn, name, MDB_CREATE, dbi);
    if (rc != 0) {
      mdb_txn_abort(txn);
      return lmdb_error(std::string("cannot open the '") + name + "' records of", path, rc);
    }
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return lmdb_error("cannot commit to", path, rc);
  return std::unique_ptr<LmdbRepository>(new LmdbRepository(std::move(env), path, options));
}

LmdbRepository::LmdbRepository(std::unique_ptr<Env> env, std::string path, LmdbOptions options)
    : env_(std::move(env)), path_(std::move(path)), options_(options) {}

LmdbRepository::~LmdbRepository() = default;

Result<void> LmdbRepository::put(Table table, const std::string& key, std::string value) {
  if (batch_) {
    batch_->push_back(Write{table, key, std::move(value)});
    return {};
  }
  return commit({Write{table, key, std::move(value)}});
}

Result<void> LmdbRepository::erase(Table table, const std::string& key) {
  if (batch_) {
    batch_->push_back(Write{table, key, std::nullopt});
    return {};
  }
  return commit({Write{table, key, std::nullopt}});
}

Result<void> LmdbRepository::write_together(const std::function<void()>& writes) {
  if (batch_) {
    writes();
    return {};
  }
  batch_.emplace();
  try {
    writes();
  } catch (...) {
    batch_.reset();
    throw;
  }
  std::vector<Write> recorded = std::move(*batch_);
  batch_.reset();
  if (recorded.empty()) return {};
  return commit(recorded);
}

Result<void> LmdbRepository::commit(const std::vector<Write>& writes) {
  for (;;) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_->env, nullptr, 0, &txn);
    if (rc == 0) {
      for (const Write& w : writes) {
        MDB_val k = val(w.key);
        if (w.value) {
          MDB_val v = val(*w.value);
          rc = mdb_put(txn, env_->dbi(w.table), &k, &v, 0);
        } else {
          rc = mdb_del(txn, env_->dbi(w.table), &k, nullptr);
          if (rc == MDB_NOTFOUND) rc = 0;
        }
        if (rc != 0) break;
      }
      if (rc == 0) {
        rc = mdb_txn_commit(txn);  // synced before it returns
      } else {
        mdb_txn_abort(txn);
      }
    }
    if (rc == MDB_MAP_FULL && env_->map_bytes < options_.max_map_bytes) {
      env_->map_bytes = std::min(env_->map_bytes * 2, options_.max_map_bytes);
      rc = mdb_env_set_mapsize(env_->env, env_->map_bytes);
      if (rc == 0) continue;
    }
    last_write_ok_ = rc == 0;
    if (rc != 0) {
      auto error = lmdb_error("cannot write to", path_, rc);
      log::error("could not save the agent state", {{"error", error.message}});
      return error;
    }
    return {};
  }
}

Result<SavedState> LmdbRepository::load() {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return lmdb_error("cannot read", path_, rc);
  SavedState state;
  std::optional<Error> failure;
  auto each = [&](MDB_dbi dbi, const auto& fn) {
    if (failure) return;
    MDB_cursor* cursor = nullptr;
    if (int r = mdb_cursor_open(txn, dbi, &cursor); r != 0) {
      failure = lmdb_error("cannot read", path_, r);
      return;
    }
    MDB_val k, v;
    for (int r = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); r == 0 && !failure;
         r = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
      fn(view(k), view(v));
    }
    mdb_cursor_close(cursor);
  };
  auto bad = [&](std::string_view kind, std::string_view key, const Error& e) {
    failure = make_error(StateErrc::bad_state, "'" + path_ + "': " + std::string(kind) + " '" +
                                                   std::string(key) + "': " + e.message);
  };
  each(env_->instance, [&](std::string_view key, std::string_view value) {
    auto r = decode_instance(value);
    if (!r) return bad("record", key, r.error());
    state.instance = std::move(*r);
  });
  each(env_->tasks, [&](std::string_view key, std::string_view value) {
    auto r = decode_task(value);
    if (!r) return bad("task", key, r.error());
    state.tasks.push_back(std::move(*r));
  });
  each(env_->attachments, [&](std::string_view key, std::string_view value) {
    auto r = decode_attachment(value);
    if (!r) return bad("attachment", key, r.error());
    state.attachments.push_back(std::move(*r));
  });
  mdb_txn_abort(txn);
  if (failure) return *failure;
  return state;
}

Result<bool> LmdbRepository::empty() {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return lmdb_error("cannot read", path_, rc);
  bool none = true;
  for (MDB_dbi dbi : {env_->instance, env_->tasks, env_->attachments}) {
    MDB_stat st{};
    if (mdb_stat(txn, dbi, &st) == 0 && st.ms_entries > 0) none = false;
  }
  mdb_txn_abort(txn);
  return none;
}

Result<void> LmdbRepository::save_instance(const InstanceRecord& instance) {
  return put(Table::instance, kInstanceKey, encode_instance(instance));
}

Result<void> LmdbRepository::save_task(const task::Task& task) {
  return put(Table::tasks, task.arn, encode_task(task));
}

Result<void> LmdbRepository::remove_task(const std::string& task_arn) {
  return erase(Table::tasks, task_arn);
}

Result<void> LmdbRepository::save_attachment(const AttachmentRecord& attachment) {
  return put(Table::attachments, attachment.arn, encode_attachment(attachment));
}

Result<void> LmdbRepository::remove_attachment(const std::string& arn) {
  return erase(Table::attachments, arn);
}

}  // namespace ecs::state
