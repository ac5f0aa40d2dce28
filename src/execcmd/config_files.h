// The files InitializeContainer writes for the SSM agent (exec-manager.md §3.6, §7), byte for
// byte as the reference writes them — their SHA-256 names the files, so these bytes keep the
// names interoperable with configs a Go agent already wrote on the host.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "execcmd/filesystem.h"

namespace ecs::execcmd {

inline constexpr int kDefaultSessionLimit = 2;

// amazon-ssm-agent.json: TAB-indented, no trailing newline.
std::string render_agent_config(long long session_limit, bool use_dual_stack_endpoint);
extern const std::string_view kSeelogLinux;    // 798 bytes
extern const std::string_view kSeelogWindows;  // 1157 bytes

// base64url (with '=' padding) of the SHA-256 of `content`: always 44 characters.
std::string content_hash(std::string_view content);
std::string agent_config_file_name(std::string_view content);  // amazon-ssm-agent-<hash>.json
std::string log_config_file_name(std::string_view content);    // seelog-<hash>.xml

// The session limit from the agent's properties: absent, <= 0 or not a decimal integer -> 2.
// (The reference turns a malformed value into 0 through Go's Atoi; 2 is what it means to give.)
long long session_workers_limit(const std::optional<std::map<std::string, std::string>>& properties);

// True iff `path` is a regular file whose content hashes to `hash`; read errors mean false.
bool valid_config_exists(FileSystem& fs, const std::string& path, std::string_view hash);

// The content-addressed file `dir/name` holding `content`: reused when valid; a directory in the
// way is removed; otherwise (re)written with mode 0644. Errors are returned unwrapped.
Result<void> ensure_content_file(FileSystem& fs, const std::string& path, std::string_view content);

// Windows: the config directory <hash of agent JSON + seelog> holding amazon-ssm-agent.json and
// seelog.xml. valid_config_dir_exists checks both files (not directories, readable) and the
// hash of their concatenation.
std::string windows_config_dir_name(long long session_limit);
bool valid_config_dir_exists(FileSystem& fs, const std::string& dir, std::string_view hash, char separator);
// Ensures <config_dir><sep><hash> (reuse, remove a file in the way, MkdirAll, write both files)
// and returns the hash (the directory's name).
Result<std::string> ensure_windows_config_dir(FileSystem& fs, const std::string& config_dir,
                                              long long session_limit, char separator);

}  // namespace ecs::execcmd
