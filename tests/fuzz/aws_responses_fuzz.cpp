// libFuzzer target: every parser of what AWS endpoints send back (ECS API bodies and errors,
// IMDS credentials documents, INI credentials files). Must never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/credentials_provider.h"
#include "aws/ecs_client.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)ecs::aws::parse_discover_poll_endpoint_response(input);
  (void)ecs::aws::parse_register_response(input);
  (void)ecs::aws::parse_imds_credentials(input);
  (void)ecs::aws::parse_credentials_file(input, "default", "fuzz");
  (void)ecs::aws::parse_rfc3339(input);

  ecs::aws::HttpResponse response;
  response.status = 400 + static_cast<unsigned>(size % 200);
  const auto newline = input.find('\n');
  if (newline != std::string_view::npos) {
    response.headers.emplace_back("X-Amzn-ErrorType", std::string(input.substr(0, newline)));
    response.body = std::string(input.substr(newline + 1));
  } else {
    response.body = std::string(input);
  }
  (void)ecs::aws::decode_api_error("Fuzz", response);
  return 0;
}
