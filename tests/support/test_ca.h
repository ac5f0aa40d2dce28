// The tests' names for the local control plane's certificate authority (src/localcp).
#pragma once

#include "localcp/certificate_authority.h"

namespace ecs::test {
using TestCa = localcp::LocalCa;
using TestCertificate = localcp::IssuedCertificate;
using localcp::CertificateSpec;
}  // namespace ecs::test
