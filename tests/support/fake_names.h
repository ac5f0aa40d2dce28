// Host names used by tests that must not resolve without help (so a request can only succeed
// through the test's proxy, which maps them to loopback) and that are not "localhost" (which
// never goes through a proxy).
#pragma once

namespace ecs::test {
inline constexpr const char* kProxiedHost = "ecs.proxied.test";
}  // namespace ecs::test
