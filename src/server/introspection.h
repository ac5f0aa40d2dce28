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

#include "server/http_server.h"
#include "state/agent_state.h"

namespace ecs::server {

class IntrospectionEndpoint {
 public:
  IntrospectionEndpoint(std::function<const state::AgentState&()> state, std::string version_text,
                        std::string license_text);

  asio::awaitable<Response> handle(Request& request, const Peer& peer);
  Response answer(const Request& request) const;

 private:
  std::function<const state::AgentState&()> state_;
  std::string version_;
  std::string license_;
};

// JSON of one task as the reference's TaskResponse (Arn, DesiredStatus, KnownStatus, Family,
// Version, Containers [{DockerId, DockerName, Name}]).
std::string encode_task_response(const state::TaskRecord& task);

}  // namespace ecs::server
