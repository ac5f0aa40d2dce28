// The introspection API (operations.md §4.2) on ECS_INTROSPECTION_ADDR:
//   GET /             {"AvailableCommands":["/v1/metadata","/v1/tasks","/license"]}
//   GET /v1/metadata  {"Cluster":...,"ContainerInstanceArn":...|null,"Version":...}
//   GET /v1/tasks     {"Tasks":[...]}; ?taskarn=<arn> or ?dockerid=<id> (full, or a prefix of at
//                     most 12 characters) answer one task; both: 400; none found: 404
//   GET /license      the license text
// HEAD gets the same status without a body (--healthcheck sends HEAD /v1/metadata).
#pragma once

#include <functional>
#include <string>

#include "engine/task_engine.h"
#include "server/http_server.h"
#include "state/instance_store.h"

namespace ecs::server {

class IntrospectionEndpoint {
 public:
  IntrospectionEndpoint(const engine::TaskEngine& engine, const state::InstanceStore& instance,
                        std::string version_text, std::string license_text);

  asio::awaitable<Response> handle(Request& request, const Peer& peer);
  Response answer(const Request& request) const;

 private:
  const engine::TaskEngine& engine_;
  const state::InstanceStore& instance_;
  std::string version_;
  std::string license_;
};

// JSON of one task as the reference's TaskResponse (Arn, DesiredStatus, KnownStatus, Family,
// Version, Containers [{DockerId, DockerName, Name, Image, ImageID, CreatedAt, StartedAt, Ports,
// Networks, Volumes}], the optional ones omitted when unknown).
std::string encode_task_response(const task::Task& task);

}  // namespace ecs::server
