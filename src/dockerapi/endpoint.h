// Where the Docker engine listens: DOCKER_HOST, as the Docker CLI and the reference agent read it.
//   unix:///var/run/docker.sock   (the Linux default)
//   tcp://127.0.0.1:2375          (plain HTTP; TLS to a remote daemon is not supported)
//   npipe:////./pipe/docker_engine (the Windows default; only the Windows build can use it)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ecs::dockerapi {

struct Endpoint {
  enum class Kind { unix_socket, tcp, named_pipe };
  Kind kind = Kind::unix_socket;
  std::string path;  // unix socket path or pipe name
  std::string host;  // tcp
  std::uint16_t port = 0;
  std::string text;  // as configured, for messages
};

// Parses DOCKER_HOST ("" means the platform default). Errors are DockerErrc::bad_endpoint and
// name the value and what is expected.
Result<Endpoint> parse_endpoint(std::string_view docker_host);

}  // namespace ecs::dockerapi
