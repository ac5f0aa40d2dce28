#include "support/agent_harness.h"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <thread>

namespace ecs::test {

namespace http = boost::beast::http;

HttpReply http_get(unsigned short port, const std::string& target) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return {};
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(socket, req, ec);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res, ec);
  if (ec) return {};
  return {res.result_int(), res.body()};
}

AgentHarness::AgentHarness(std::string agent_binary) : agent_binary_(std::move(agent_binary)) {
  ecs_api_.set_default("DiscoverPollEndpoint", {200, "{\"endpoint\":\"" + acs_.endpoint() + "\"}"});
  std::ofstream(dir_.file("ecs.config")) << "# test config\nECS_LOGLEVEL=debug\n";
}

std::vector<std::pair<std::string, std::string>> AgentHarness::env(const std::string& cluster) {
  const auto creds = FakeEcsApi::credentials();
  return {{"AWS_CA_BUNDLE", ca_.write_pem_file(dir_.path())},
          {"ECS_BACKEND_HOST", ecs_api_.endpoint()},
          {"AWS_REGION", "us-west-2"},
          {"AWS_ACCESS_KEY_ID", creds.access_key_id},
          {"AWS_SECRET_ACCESS_KEY", creds.secret_access_key},
          {"AWS_SESSION_TOKEN", creds.session_token},
          {"AWS_EC2_METADATA_DISABLED", "true"},
          {"ECS_CLUSTER", cluster},
          {"ECS_DATADIR", dir_.file("data")},
          {"ECS_CONFIG_FILE", dir_.file("ecs.config")},
          {"ECS_INTROSPECTION_ADDR", "127.0.0.1:" + std::to_string(introspection_port_)},
          {"ECS_CREDENTIALS_ADDR", "127.0.0.1:" + std::to_string(credentials_port_)},
          {"DOCKER_HOST", docker_host_},
          {"HTTPS_PROXY", ""},
          {"NO_PROXY", ""}};
}

std::unique_ptr<BackgroundProcess> AgentHarness::start(const std::string& log_name,
                                                       const std::string& cluster) {
  return std::make_unique<BackgroundProcess>(std::vector<std::string>{agent_binary_}, env(cluster),
                                             dir_.file(log_name));
}

std::unique_ptr<BackgroundProcess> AgentHarness::start_with(
    const std::string& log_name, std::vector<std::pair<std::string, std::string>> extra) {
  auto e = env();
  for (auto& kv : extra) {
    std::erase_if(e, [&](const auto& old) { return old.first == kv.first; });
    e.push_back(std::move(kv));
  }
  std::vector<std::string> argv = launcher_;
  argv.push_back(agent_binary_);
  return std::make_unique<BackgroundProcess>(argv, e, dir_.file(log_name));
}

bool AgentHarness::wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return predicate();
}

int AgentHarness::received(const std::string& type) {
  int n = 0;
  for (const auto& f : acs_.received_all()) n += frame_is(f, type) ? 1 : 0;
  return n;
}

}  // namespace ecs::test
