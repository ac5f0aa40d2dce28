// The host directory tree of exec-manager.md §2.3 under a temporary root, with the project's fake
// SSM agent (tests/fixtures) as every agent binary, for the real-dockerd tests and benchmarks.
// Host view == agent view: this process is not in a container.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "execcmd/manager.h"

namespace ecs::test {

class ExecHostTree {
 public:
  static constexpr const char* kAgentVersion = "3.3.40.0";

  ExecHostTree(const std::string& root, const std::string& fake_agent_binary) {
    namespace fs = std::filesystem;
    paths.host_deps_dir = paths.agent_deps_dir = root + "/deps/execute-command";
    paths.host_log_dir = paths.agent_log_dir = root + "/log/exec";
    const std::string version_dir = paths.host_deps_dir + "/bin/" + kAgentVersion;
    fs::create_directories(version_dir);
    for (const char* name : {"amazon-ssm-agent", "ssm-agent-worker", "ssm-session-worker"}) {
      fs::copy_file(fake_agent_binary, version_dir + "/" + name);
    }
    fs::create_directories(paths.host_deps_dir + "/certs");
    std::ofstream(paths.host_deps_dir + "/certs/tls-ca-bundle.pem") << "-----BEGIN CERTIFICATE-----\n";
    fs::create_directories(paths.host_deps_dir + "/config");  // provisioned by ecs-init, like bin and certs
    fs::create_directories(paths.host_log_dir);
  }

  std::string agent_binary() const {
    return paths.host_deps_dir + "/bin/" + kAgentVersion + "/amazon-ssm-agent";
  }
  // The container's /var/log/amazon/ssm as seen from the host.
  std::string log_dir(const std::string& task_id, const std::string& container_name) const {
    return paths.host_log_dir + "/" + task_id + "/" + container_name;
  }

  execcmd::Paths paths;
};

}  // namespace ecs::test
