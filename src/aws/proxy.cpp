#include "aws/proxy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ecs::aws {
namespace {

std::string env_either(const EnvLookup& env, std::string_view upper, std::string_view lower) {
  if (auto v = env_value(env, upper)) return *v;
  if (auto v = env_value(env, lower)) return *v;
  return {};
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool ipv4(const std::string& s, std::uint32_t& out) {
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
  out = ntohl(a.s_addr);
  return true;
}

bool always_direct(const Url& target) {
  const std::string& h = target.host;
  if (h == "localhost" || h == "::1" || h == "169.254.169.254" || h == "169.254.170.2") return true;
  std::uint32_t ip = 0;
  return ipv4(h, ip) && (ip >> 24) == 127;
}

// One NO_PROXY entry: "*", an IP, a CIDR, "host", ".domain" or "*.domain", each optionally ":port".
bool matches(std::string entry, const Url& target) {
  entry = lower(trim(entry));
  if (entry.empty()) return false;
  if (entry == "*") return true;
  std::uint32_t target_ip = 0;
  const bool target_is_ip = ipv4(target.host, target_ip);
  if (const auto slash = entry.find('/'); slash != std::string::npos) {
    std::uint32_t net = 0;
    const int bits = std::atoi(entry.c_str() + slash + 1);
    if (!target_is_ip || !ipv4(entry.substr(0, slash), net) || bits < 0 || bits > 32) return false;
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (target_ip & mask) == (net & mask);
  }
  std::string host = entry;
  if (const auto colon = entry.rfind(':'); colon != std::string::npos && entry.find(':') == colon) {
    host = entry.substr(0, colon);
    if (std::to_string(target.port) != entry.substr(colon + 1)) return false;
  }
  if (host.starts_with("*.")) host.erase(0, 1);
  if (host.starts_with(".")) {
    return target.host.size() > host.size() && target.host.ends_with(host);
  }
  return target.host == host || (target.host.size() > host.size() && target.host.ends_with("." + host));
}

}  // namespace

Result<ProxyConfig> ProxyConfig::from_environment(const EnvLookup& env) {
  return from_values(env_either(env, "HTTPS_PROXY", "https_proxy"),
                     env_either(env, "HTTP_PROXY", "http_proxy"), env_either(env, "NO_PROXY", "no_proxy"));
}

static Result<std::optional<Url>> parse_proxy(const std::string& value, const char* variable) {
  if (value.empty()) return std::optional<Url>();
  auto url = parse_url(value.find("://") == std::string::npos ? "http://" + value : value);
  if (!url) return make_error(url.error().code, std::string(variable) + ": " + url.error().message);
  if (url->scheme != "http") {
    return make_error(errc::make_error_code(errc::invalid_argument),
                      std::string(variable) + "='" + value + "': only http:// proxies are supported");
  }
  return std::optional<Url>(*url);
}

Result<ProxyConfig> ProxyConfig::from_values(const std::string& https_proxy, const std::string& http_proxy,
                                             const std::string& no_proxy) {
  ProxyConfig c;
  auto https = parse_proxy(https_proxy, "HTTPS_PROXY");
  if (!https) return https.error();
  auto http = parse_proxy(http_proxy, "HTTP_PROXY");
  if (!http) return http.error();
  c.https_proxy = *https;
  c.http_proxy = *http;
  c.no_proxy = no_proxy;
  return c;
}

std::optional<Url> ProxyConfig::proxy_for(const Url& target) const {
  if (always_direct(target)) return std::nullopt;
  const bool secure = target.scheme == "https" || target.scheme == "wss";
  const std::optional<Url>& proxy = secure ? https_proxy : http_proxy;
  if (!proxy) return std::nullopt;
  std::size_t pos = 0;
  while (pos <= no_proxy.size()) {
    const std::size_t comma = std::min(no_proxy.find(',', pos), no_proxy.size());
    if (matches(no_proxy.substr(pos, comma - pos), target)) return std::nullopt;
    pos = comma + 1;
  }
  return proxy;
}

}  // namespace ecs::aws
