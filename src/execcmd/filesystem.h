// The file-system operations InitializeContainer uses, behind a seam so that tests can inject
// each failure the reference's tests inject (exec-manager.md §8: ioUtilReadDir, osStat,
// getFileContent, createNewExecAgentConfigFile, removeAll, mkdirAll). Error texts follow Go's
// os package: "open <path>: no such file or directory".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ecs::execcmd {

struct DirEntry {
  std::string name;
  bool is_dir = false;
};

struct FileInfo {
  bool is_dir = false;
  bool is_regular = false;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Entries sorted by name (Go's ReadDir order).
  virtual Result<std::vector<DirEntry>> list_dir(const std::string& path) = 0;
  // Follows symlinks; an error when the path does not exist.
  virtual Result<FileInfo> stat(const std::string& path) = 0;
  virtual Result<std::string> read_file(const std::string& path) = 0;
  // Creates or truncates, with `mode` for a new file.
  virtual Result<void> write_file(const std::string& path, std::string_view content, unsigned mode) = 0;
  virtual Result<void> remove_all(const std::string& path) = 0;
  virtual Result<void> mkdir_all(const std::string& path, unsigned mode) = 0;
  // Replaces `to` with `from` in one step (a reader sees the old file or the new one).
  virtual Result<void> rename(const std::string& from, const std::string& to) = 0;
};

// The real one (std::filesystem and POSIX).
class RealFileSystem : public FileSystem {
 public:
  Result<std::vector<DirEntry>> list_dir(const std::string& path) override;
  Result<FileInfo> stat(const std::string& path) override;
  Result<std::string> read_file(const std::string& path) override;
  Result<void> write_file(const std::string& path, std::string_view content, unsigned mode) override;
  Result<void> remove_all(const std::string& path) override;
  Result<void> mkdir_all(const std::string& path, unsigned mode) override;
  Result<void> rename(const std::string& from, const std::string& to) override;
};

}  // namespace ecs::execcmd
