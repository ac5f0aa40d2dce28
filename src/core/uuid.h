// Random (version 4) UUIDs as 36 lowercase characters with hyphens, like pborman/uuid's New().
#pragma once

#include <string>

namespace ecs {

std::string random_uuid();

}  // namespace ecs
