// Validation of ElasticNetworkInterface entries, shared by the task and instance ENI
// responders (acs-protocol.md §5.3, texts exact), and the expiry of an attachment's wait.
#pragma once

#include <chrono>
#include <cstdint>

#include "acs/model.h"
#include "core/error.h"

namespace ecs::acs {

Result<void> validate_eni(const ElasticNetworkInterface& eni);

// The longest wait an attachment message may ask for (waitTimeoutMs); longer asks are cut to it.
inline constexpr std::int64_t kMaxAttachmentWaitMs = 7LL * 24 * 3600 * 1000;
// `now` + wait_ms, the wait clamped to [0, kMaxAttachmentWaitMs]: a hostile waitTimeoutMs
// (e.g. 88888888881000) must not overflow the clock's nanoseconds.
std::chrono::steady_clock::time_point attachment_expiry(std::int64_t wait_ms,
                                                        std::chrono::steady_clock::time_point now);

}  // namespace ecs::acs
