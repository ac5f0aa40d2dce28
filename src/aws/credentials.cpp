#include "aws/credentials.h"

namespace ecs::aws {

std::string Credentials::redacted() const {
  // Access key ids are not secret, but only a prefix is needed to tell keys apart.
  std::string id = access_key_id.size() > 8 ? access_key_id.substr(0, 8) + "..." : access_key_id;
  return id + " from " + (source.empty() ? std::string("unknown source") : source);
}

}  // namespace ecs::aws
