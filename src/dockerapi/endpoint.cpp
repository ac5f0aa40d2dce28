#include "dockerapi/endpoint.h"

#include "core/address.h"
#include "dockerapi/errors.h"
#include "platform/paths.h"

namespace ecs::dockerapi {

Result<Endpoint> parse_endpoint(std::string_view docker_host) {
  if (docker_host.empty()) docker_host = platform::default_paths().docker_host;
  Endpoint e;
  e.text = std::string(docker_host);
  auto bad = [&](std::string why) {
    return make_error(
        DockerErrc::bad_endpoint,
        "DOCKER_HOST=" + e.text + " is not usable: " + why +
            " (expected unix:///path/to/docker.sock, tcp://host:port or npipe:////./pipe/name)");
  };
  if (docker_host.starts_with("unix://")) {
    e.kind = Endpoint::Kind::unix_socket;
    e.path = std::string(docker_host.substr(7));
    if (e.path.empty() || e.path[0] != '/') return bad("the socket path must be absolute");
    return e;
  }
  if (docker_host.starts_with("tcp://")) {
    auto hp = parse_host_port(docker_host.substr(6), "DOCKER_HOST");
    if (!hp) return bad(hp.error().message);
    e.kind = Endpoint::Kind::tcp;
    e.host = hp->host;
    e.port = hp->port;
    return e;
  }
  if (docker_host.starts_with("npipe://")) {
    e.kind = Endpoint::Kind::named_pipe;
    e.path = std::string(docker_host.substr(8));
    if (!platform::has_named_pipes()) return bad("named pipes exist only on Windows");
    if (e.path.empty()) return bad("the pipe name is empty");
    return e;
  }
  return bad("unknown scheme");
}

}  // namespace ecs::dockerapi
