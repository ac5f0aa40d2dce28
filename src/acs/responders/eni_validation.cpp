#include "acs/responders/eni_validation.h"

#include <algorithm>

namespace ecs::acs {

namespace {

Error invalid(std::string text) {
  return make_error(errc::make_error_code(errc::invalid_argument), std::move(text));
}

// "<address>/<prefix>": splitting on '/' gives exactly two parts.
bool two_parts(const std::string& v) { return std::count(v.begin(), v.end(), '/') == 1; }

}  // namespace

Result<void> validate_eni(const ElasticNetworkInterface& eni) {
  const std::size_t v4 = eni.ipv4Addresses ? eni.ipv4Addresses->size() : 0;
  const std::size_t v6 = eni.ipv6Addresses ? eni.ipv6Addresses->size() : 0;
  if (v6 > 0 && v4 == 0) {  // IPv6-only
    if (!eni.subnetGatewayIpv6Address) {
      return invalid("eni message validation: no subnet gateway ipv6 address in the message");
    }
    if (!two_parts(*eni.subnetGatewayIpv6Address)) {
      return invalid("eni message validation: invalid subnet gateway ipv6 address " +
                     *eni.subnetGatewayIpv6Address);
    }
  } else {
    if (v4 == 0) return invalid("eni message validation: no ipv4 addresses in the message");
    if (!eni.subnetGatewayIpv4Address) {
      return invalid("eni message validation: no subnet gateway ipv4 address in the message");
    }
    if (!two_parts(*eni.subnetGatewayIpv4Address)) {
      return invalid("eni message validation: invalid subnet gateway ipv4 address " +
                     *eni.subnetGatewayIpv4Address);
    }
  }
  // Only absence is rejected: empty strings pass, as in the reference.
  if (!eni.macAddress) return invalid("eni message validation: empty eni mac address in the message");
  if (!eni.ec2Id) return invalid("eni message validation: empty eni id in the message");
  if (eni.interfaceAssociationProtocol) {
    const std::string& p = *eni.interfaceAssociationProtocol;
    if (p != "default" && p != "vlan") return invalid("invalid interface association protocol: " + p);
    if (p == "vlan" &&
        (!eni.interfaceVlanProperties || eni.interfaceVlanProperties->vlanId.value_or("").empty() ||
         eni.interfaceVlanProperties->trunkInterfaceMacAddress.value_or("").empty())) {
      return invalid("vlan interface properties missing");
    }
  }
  return {};
}

std::chrono::steady_clock::time_point attachment_expiry(std::int64_t wait_ms,
                                                        std::chrono::steady_clock::time_point now) {
  const std::int64_t clamped = std::clamp<std::int64_t>(wait_ms, 0, kMaxAttachmentWaitMs);
  return now + std::chrono::milliseconds(clamped);
}

}  // namespace ecs::acs
