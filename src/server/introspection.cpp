#include "server/introspection.h"

#include "core/json_writer.h"
#include "core/url.h"

namespace ecs::server {

namespace {

void write_task(JsonWriter& w, const state::TaskRecord& t) {
  w.begin_object();
  w.key("Arn").string(t.arn);
  w.key("DesiredStatus").string(t.desired_status);
  w.key("KnownStatus").string(t.known_status.empty() ? "NONE" : t.known_status);
  w.key("Family").string(t.family);
  w.key("Version").string(t.version);
  w.key("Containers").begin_array();
  for (const auto& c : t.containers) {
    w.begin_object();
    w.key("DockerId").string(c.runtime_id);
    w.key("DockerName").string(c.runtime_id.empty() ? "" : c.name);
    w.key("Name").string(c.name);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

std::string error_json(std::string_view message) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("error").string(message).end_object();
  return out;
}

}  // namespace

std::string encode_task_response(const state::TaskRecord& task) {
  std::string out;
  JsonWriter w(out);
  write_task(w, task);
  return out;
}

IntrospectionEndpoint::IntrospectionEndpoint(std::function<const state::AgentState&()> state,
                                             std::string version_text, std::string license_text)
    : state_(std::move(state)), version_(std::move(version_text)), license_(std::move(license_text)) {}

Response IntrospectionEndpoint::answer(const Request& request) const {
  const bool head = request.method() == http::verb::head;
  auto reply = [&](http::status status, std::string body, std::string_view type = "application/json") {
    Response r = make_response(request, status, head ? std::string() : std::move(body), type);
    return r;
  };
  if (request.method() != http::verb::get && !head) {
    return reply(http::status::method_not_allowed, error_json("only GET and HEAD are supported"));
  }
  const std::string_view target = request.target();
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  const state::AgentState& s = state_();

  if (path == "/") {
    return reply(http::status::ok, R"({"AvailableCommands":["/v1/metadata","/v1/tasks","/license"]})");
  }
  if (path == "/license") return reply(http::status::ok, license_, "text/plain");
  if (path == "/v1/metadata") {
    std::string out;
    JsonWriter w(out);
    w.begin_object().key("Cluster").string(s.cluster).key("ContainerInstanceArn");
    if (s.container_instance_arn.empty()) {
      w.null();
    } else {
      w.string(s.container_instance_arn);
    }
    w.key("Version").string(version_).end_object();
    return reply(http::status::ok, out);
  }
  if (path == "/v1/tasks") {
    const auto arn_param = query_value(query, "taskarn");
    const auto docker_param = query_value(query, "dockerid");
    if (arn_param && docker_param) {
      return reply(http::status::bad_request, error_json("taskarn and dockerid cannot be used together"));
    }
    if (arn_param) {
      const std::string& arn = *arn_param;
      for (const auto& t : s.tasks) {
        if (t.arn == arn) return reply(http::status::ok, encode_task_response(t));
      }
      return reply(http::status::not_found, error_json("no task with ARN " + arn));
    }
    if (docker_param) {
      const std::string& docker_id = *docker_param;
      for (const auto& t : s.tasks) {
        for (const auto& c : t.containers) {
          if (c.runtime_id.empty() || docker_id.empty()) continue;
          const bool full = c.runtime_id == docker_id;
          const bool short_id = docker_id.size() <= 12 && c.runtime_id.starts_with(docker_id);
          if (full || short_id) return reply(http::status::ok, encode_task_response(t));
        }
      }
      return reply(http::status::not_found, error_json("no task with a container of Docker id " + docker_id));
    }
    std::string out;
    JsonWriter w(out);
    w.begin_object().key("Tasks").begin_array();
    for (const auto& t : s.tasks) write_task(w, t);
    w.end_array().end_object();
    return reply(http::status::ok, out);
  }
  return reply(http::status::not_found, error_json("no such path"));
}

asio::awaitable<Response> IntrospectionEndpoint::handle(Request& request, const Peer&) {
  co_return answer(request);
}

}  // namespace ecs::server
