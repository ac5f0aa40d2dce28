// EndpointDiscovery through the ECS API client (DiscoverPollEndpoint, cached there for 12 h).
#pragma once

#include "acs/session.h"
#include "aws/ecs_client.h"

namespace ecs::acs {

class EcsEndpointDiscovery : public EndpointDiscovery {
 public:
  explicit EcsEndpointDiscovery(aws::EcsClient& ecs) : ecs_(ecs) {}
  asio::awaitable<Result<std::string>> discover_poll_endpoint(
      const std::string& cluster, const std::string& container_instance_arn) override {
    co_return co_await ecs_.discover_poll_endpoint(cluster, container_instance_arn);
  }

 private:
  aws::EcsClient& ecs_;
};

}  // namespace ecs::acs
