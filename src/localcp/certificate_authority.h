// A certificate authority generated at run time, for the tests and the local control plane (ECDSA P-256,
// mbedTLS's certificate writer), so that TLS tests never depend on committed keys or on the host's trust
// store.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace ecs::localcp {

struct IssuedCertificate {
  std::string cert_pem;   // leaf certificate
  std::string key_pem;    // its private key
  std::string chain_pem;  // leaf followed by the issuing CA
};

struct CertificateSpec {
  std::vector<std::string> dns_names = {"localhost"};  // subjectAltName dNSName entries
  std::string common_name = "localhost";
  // Validity relative to now; an expired certificate has both in the past.
  std::chrono::hours not_before = -std::chrono::hours(24);
  std::chrono::hours not_after = std::chrono::hours(24 * 30);
};

class LocalCa {
 public:
  explicit LocalCa(std::string common_name = "ecs-agent local CA");
  ~LocalCa();
  LocalCa(const LocalCa&) = delete;
  LocalCa& operator=(const LocalCa&) = delete;

  const std::string& cert_pem() const { return cert_pem_; }
  IssuedCertificate issue(const CertificateSpec& spec = {}) const;

  // Writes the CA certificate to a new file in dir and returns its path.
  std::string write_pem_file(const std::string& dir) const;

 private:
  struct Impl;
  Impl* impl_;
  std::string cert_pem_;
};

}  // namespace ecs::localcp
