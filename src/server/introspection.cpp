#include "server/introspection.h"

#include "core/json_writer.h"
#include "core/rfc3339.h"
#include "core/url.h"

namespace ecs::server {

namespace {

void write_task(JsonWriter& w, const task::Task& t) {
  w.begin_object();
  w.key("Arn").string(t.arn);
  w.key("DesiredStatus").string(task::to_string(t.desired_status));
  w.key("KnownStatus").string(task::to_string(t.known_status));
  w.key("Family").string(t.family);
  w.key("Version").string(t.version);
  w.key("Containers").begin_array();
  for (const auto& c : t.containers) {
    w.begin_object();
    w.key("DockerId").string(c.docker_id);
    w.key("DockerName").string(c.docker_name);
    w.key("Name").string(c.name);
    w.key("Image").string(c.image);
    w.key("ImageID").string(c.image_id);
    if (c.created_at != task::TimePoint{}) w.key("CreatedAt").string(format_rfc3339_nano(c.created_at));
    if (c.started_at != task::TimePoint{}) w.key("StartedAt").string(format_rfc3339_nano(c.started_at));
    if (!c.known_port_bindings.empty()) {
      w.key("Ports").begin_array();
      for (const auto& p : c.known_port_bindings) {
        w.begin_object().key("ContainerPort").number(p.container_port).key("Protocol").string(p.protocol);
        w.key("HostPort").number(p.host_port).key("HostIp").string(p.bind_ip).end_object();
      }
      w.end_array();
    }
    if (!c.networks.empty()) {
      w.key("Networks").begin_array();
      for (const auto& n : c.networks) {
        w.begin_object().key("NetworkMode").string(n.name).key("IPv4Addresses").begin_array();
        w.string(n.ipv4_address).end_array();
        if (!n.ipv6_address.empty()) w.key("IPv6Addresses").begin_array().string(n.ipv6_address).end_array();
        w.end_object();
      }
      w.end_array();
    }
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

std::string encode_task_response(const task::Task& task) {
  std::string out;
  JsonWriter w(out);
  write_task(w, task);
  return out;
}

IntrospectionEndpoint::IntrospectionEndpoint(const engine::TaskEngine& engine,
                                             const state::InstanceStore& instance, std::string version_text,
                                             std::string license_text)
    : engine_(engine),
      instance_(instance),
      version_(std::move(version_text)),
      license_(std::move(license_text)) {}

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
  const state::InstanceRecord& s = instance_.record();
  const std::vector<const task::Task*> tasks = engine_.tasks();

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
      if (const task::Task* t = engine_.find_task(arn))
        return reply(http::status::ok, encode_task_response(*t));
      return reply(http::status::not_found, error_json("no task with ARN " + arn));
    }
    if (docker_param) {
      const std::string& docker_id = *docker_param;
      for (const task::Task* t : tasks) {
        for (const auto& c : t->containers) {
          if (c.docker_id.empty() || docker_id.empty()) continue;
          const bool full = c.docker_id == docker_id;
          const bool short_id = docker_id.size() <= 12 && c.docker_id.starts_with(docker_id);
          if (full || short_id) return reply(http::status::ok, encode_task_response(*t));
        }
      }
      return reply(http::status::not_found, error_json("no task with a container of Docker id " + docker_id));
    }
    std::string out;
    JsonWriter w(out);
    w.begin_object().key("Tasks").begin_array();
    for (const task::Task* t : tasks) write_task(w, *t);
    w.end_array().end_object();
    return reply(http::status::ok, out);
  }
  return reply(http::status::not_found, error_json("no such path"));
}

asio::awaitable<Response> IntrospectionEndpoint::handle(Request& request, const Peer&) {
  co_return answer(request);
}

}  // namespace ecs::server
