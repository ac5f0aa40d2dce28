#include "app/registration.h"

#include <filesystem>

namespace ecs::app {

std::vector<aws::Resource> host_resources(const platform::HostInfo& host) {
  std::vector<aws::Resource> r;
  r.push_back({"CPU", "INTEGER", static_cast<std::int64_t>(host.cpu_count) * 1024, {}});
  r.push_back({"MEMORY", "INTEGER", host.memory_mib, {}});
  r.push_back({"PORTS", "STRINGSET", 0, {"22", "2375", "2376", "51678", "51679"}});
  r.push_back({"PORTS_UDP", "STRINGSET", 0, {}});
  return r;
}

std::vector<aws::Resource> host_resources() { return host_resources(platform::host_info()); }

bool exec_dependencies_present(const std::string& exec_deps_dir) {
  std::error_code ec;
  namespace fs = std::filesystem;
  if (!fs::is_directory(exec_deps_dir + "/config", ec) ||
      !fs::is_regular_file(exec_deps_dir + "/certs/tls-ca-bundle.pem", ec) ||
      !fs::is_directory(exec_deps_dir + "/bin", ec)) {
    return false;
  }
  for (const auto& entry : fs::directory_iterator(exec_deps_dir + "/bin", ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.find_first_not_of("0123456789.") != std::string::npos) continue;
    bool all = true;
    for (const char* b : {"amazon-ssm-agent", "ssm-agent-worker", "ssm-session-worker"}) {
      all = all && fs::exists(entry.path() / b, ec);
    }
    if (all) return true;
  }
  return false;
}

execcmd::Paths exec_paths_for_this_process() {
  execcmd::Paths paths;
  std::error_code ec;
  if (!std::filesystem::is_directory(paths.agent_deps_dir, ec)) {
    paths.agent_deps_dir = paths.host_deps_dir;
    paths.agent_log_dir = paths.host_log_dir;
  }
  return paths;
}

std::vector<std::pair<std::string, std::string>> host_attributes(const platform::HostInfo& host,
                                                                 const std::string& exec_deps_dir) {
  std::vector<std::pair<std::string, std::string>> a;
  a.emplace_back("ecs.os-type", host.os_type);
  a.emplace_back("ecs.cpu-architecture", host.cpu_architecture);
  if (!exec_deps_dir.empty() && exec_dependencies_present(exec_deps_dir))
    a.emplace_back("ecs.capability.execute-command", "");
  return a;
}

std::vector<std::pair<std::string, std::string>> host_attributes(const std::string& exec_deps_dir) {
  return host_attributes(platform::host_info(), exec_deps_dir);
}

asio::awaitable<RegistrationOutcome> register_container_instance(aws::EcsClient& ecs,
                                                                 aws::RegisterRequest request) {
  RegistrationOutcome out;
  auto arn = co_await ecs.register_container_instance(request);
  if (arn) {
    out.container_instance_arn = *arn;
    co_return out;
  }
  const error_code code = arn.error().code;
  out.terminal = code == aws::EcsErrc::cluster_not_found || code == aws::EcsErrc::access_denied ||
                 code == aws::EcsErrc::invalid_parameter || code == aws::EcsErrc::client_exception;
  out.error = "could not register the container instance: " + arn.error().message;
  co_return out;
}

}  // namespace ecs::app
