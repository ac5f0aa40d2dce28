#include "app/environment_variables.h"

namespace ecs::app {
namespace {

constexpr EnvironmentVariable kVariables[] = {
    {"AWS_CA_BUNDLE", "",
     "PEM file of CA certificates trusted in addition to the bundle built into the binary"},
    {"ECS_AGENT_HEALTHCHECK_HOST", "host of ECS_INTROSPECTION_ADDR", "host that --healthcheck probes"},
    {"ECS_INTROSPECTION_ADDR", "127.0.0.1:51678",
     "host:port of the introspection server (probed by --healthcheck)"},
};

}  // namespace

std::span<const EnvironmentVariable> environment_variables() { return kVariables; }

}  // namespace ecs::app
