// An in-memory file system for the exec manager's unit tests, with per-path failures to inject
// (the reference's stubbed ioUtilReadDir, osStat, getFileContent, create, removeAll, mkdirAll).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "execcmd/filesystem.h"

namespace ecs::test {

class FakeFileSystem : public execcmd::FileSystem {
 public:
  struct Node {
    bool is_dir = false;
    std::string content;
  };
  std::map<std::string, Node> nodes;
  std::map<std::string, Error> fail_list, fail_stat, fail_read, fail_write, fail_remove, fail_mkdir;
  int writes = 0;

  void add_dir(const std::string& path) { nodes[path] = Node{true, {}}; }
  void add_file(const std::string& path, std::string content = "x") {
    nodes[path] = Node{false, std::move(content)};
  }

  Result<std::vector<execcmd::DirEntry>> list_dir(const std::string& path) override {
    if (auto it = fail_list.find(path); it != fail_list.end()) return it->second;
    if (!nodes.count(path) || !nodes[path].is_dir) return missing("open", path);
    std::vector<execcmd::DirEntry> out;
    const std::string prefix = path + "/";
    for (const auto& [p, node] : nodes) {
      if (p.starts_with(prefix) && p.find('/', prefix.size()) == std::string::npos) {
        out.push_back({p.substr(prefix.size()), node.is_dir});
      }
    }
    return out;
  }
  Result<execcmd::FileInfo> stat(const std::string& path) override {
    if (auto it = fail_stat.find(path); it != fail_stat.end()) return it->second;
    auto it = nodes.find(path);
    if (it == nodes.end()) return missing("stat", path);
    return execcmd::FileInfo{it->second.is_dir, !it->second.is_dir};
  }
  Result<std::string> read_file(const std::string& path) override {
    if (auto it = fail_read.find(path); it != fail_read.end()) return it->second;
    auto it = nodes.find(path);
    if (it == nodes.end() || it->second.is_dir) return missing("open", path);
    return it->second.content;
  }
  Result<void> write_file(const std::string& path, std::string_view content, unsigned) override {
    if (auto it = fail_write.find(path); it != fail_write.end()) return it->second;
    ++writes;
    nodes[path] = Node{false, std::string(content)};
    return {};
  }
  Result<void> remove_all(const std::string& path) override {
    if (auto it = fail_remove.find(path); it != fail_remove.end()) return it->second;
    for (auto it = nodes.begin(); it != nodes.end();) {
      it = (it->first == path || it->first.starts_with(path + "/")) ? nodes.erase(it) : std::next(it);
    }
    return {};
  }
  Result<void> rename(const std::string& from, const std::string& to) override {
    auto it = nodes.find(from);
    if (it == nodes.end()) return missing("rename", from);
    Node moved = it->second;
    nodes.erase(it);
    nodes[to] = std::move(moved);
    return {};
  }
  Result<void> mkdir_all(const std::string& path, unsigned) override {
    if (auto it = fail_mkdir.find(path); it != fail_mkdir.end()) return it->second;
    nodes[path] = Node{true, {}};
    return {};
  }

  static Error missing(const char* op, const std::string& path) {
    return make_error(errc::make_error_code(errc::no_such_file_or_directory),
                      std::string(op) + " " + path + ": no such file or directory");
  }
};

inline Error mock_error(const std::string& text = "mockError") {
  return make_error(errc::make_error_code(errc::io_error), text);
}

}  // namespace ecs::test
