// Validation of ElasticNetworkInterface entries, shared by the task and instance ENI
// responders (acs-protocol.md §5.3, texts exact).
#pragma once

#include "acs/model.h"
#include "core/error.h"

namespace ecs::acs {

Result<void> validate_eni(const ElasticNetworkInterface& eni);

}  // namespace ecs::acs
