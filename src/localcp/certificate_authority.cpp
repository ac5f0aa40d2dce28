#include "localcp/certificate_authority.h"

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <atomic>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace ecs::localcp {
namespace {

void check(int rc, const char* what) {
  if (rc < 0) throw std::runtime_error(std::string(what) + " failed: " + std::to_string(rc));
}

std::string asn1_time(std::chrono::hours offset) {
  const std::time_t t = std::time(nullptr) + std::chrono::duration_cast<std::chrono::seconds>(offset).count();
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

struct Rng {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  Rng() {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    check(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, nullptr, 0), "drbg seed");
  }
  ~Rng() {
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
  }
};

struct Key {
  mbedtls_pk_context pk;
  explicit Key(Rng& rng) {
    mbedtls_pk_init(&pk);
    check(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), "pk setup");
    check(
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random, &rng.drbg),
        "ecp gen key");
  }
  ~Key() { mbedtls_pk_free(&pk); }
  std::string pem() {
    unsigned char buf[4096];
    check(mbedtls_pk_write_key_pem(&pk, buf, sizeof buf), "write key");
    return reinterpret_cast<const char*>(buf);
  }
};

// DER of subjectAltName: SEQUENCE OF [2] IA5String dNSName.
std::string san_der(const std::vector<std::string>& names) {
  unsigned char buf[2048];
  unsigned char* p = buf + sizeof buf;
  std::size_t len = 0;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    std::size_t n = 0;
    int rc = mbedtls_asn1_write_raw_buffer(&p, buf, reinterpret_cast<const unsigned char*>(it->data()),
                                           it->size());
    check(rc, "san name");
    n += static_cast<std::size_t>(rc);
    check(rc = mbedtls_asn1_write_len(&p, buf, n), "san len");
    n += static_cast<std::size_t>(rc);
    check(rc = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2), "san tag");
    n += static_cast<std::size_t>(rc);
    len += n;
  }
  int rc = mbedtls_asn1_write_len(&p, buf, len);
  check(rc, "seq len");
  len += static_cast<std::size_t>(rc);
  check(rc = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE), "seq tag");
  len += static_cast<std::size_t>(rc);
  return std::string(reinterpret_cast<const char*>(p), len);
}

std::atomic<int> g_serial{1};

std::string write_certificate(Rng& rng, mbedtls_pk_context* subject_key, mbedtls_pk_context* issuer_key,
                              const std::string& subject, const std::string& issuer, bool is_ca,
                              const std::vector<std::string>& dns, std::chrono::hours nb,
                              std::chrono::hours na) {
  mbedtls_x509write_cert crt;
  mbedtls_x509write_crt_init(&crt);
  mbedtls_mpi serial;
  mbedtls_mpi_init(&serial);
  mbedtls_mpi_lset(&serial, g_serial++);
  mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
  mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
  mbedtls_x509write_crt_set_subject_key(&crt, subject_key);
  mbedtls_x509write_crt_set_issuer_key(&crt, issuer_key);
  check(mbedtls_x509write_crt_set_subject_name(&crt, subject.c_str()), "subject");
  check(mbedtls_x509write_crt_set_issuer_name(&crt, issuer.c_str()), "issuer");
  check(mbedtls_x509write_crt_set_serial(&crt, &serial), "serial");
  check(mbedtls_x509write_crt_set_validity(&crt, asn1_time(nb).c_str(), asn1_time(na).c_str()), "validity");
  check(mbedtls_x509write_crt_set_basic_constraints(&crt, is_ca ? 1 : 0, is_ca ? 0 : -1),
        "basic constraints");
  check(mbedtls_x509write_crt_set_subject_key_identifier(&crt), "ski");
  check(mbedtls_x509write_crt_set_authority_key_identifier(&crt), "aki");
  if (is_ca) {
    check(mbedtls_x509write_crt_set_key_usage(&crt, MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN),
          "key usage");
  }
  if (!dns.empty()) {
    const std::string der = san_der(dns);
    check(mbedtls_x509write_crt_set_extension(&crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                              MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0,
                                              reinterpret_cast<const unsigned char*>(der.data()), der.size()),
          "san");
  }
  unsigned char buf[8192];
  const int rc = mbedtls_x509write_crt_pem(&crt, buf, sizeof buf, mbedtls_ctr_drbg_random, &rng.drbg);
  mbedtls_x509write_crt_free(&crt);
  mbedtls_mpi_free(&serial);
  check(rc, "write certificate");
  return reinterpret_cast<const char*>(buf);
}

}  // namespace

struct LocalCa::Impl {
  Rng rng;
  Key key{rng};
  std::string subject;
};

LocalCa::LocalCa(std::string common_name) : impl_(new Impl) {
  impl_->subject = "CN=" + common_name + ",O=ecs-agent tests";
  cert_pem_ = write_certificate(impl_->rng, &impl_->key.pk, &impl_->key.pk, impl_->subject, impl_->subject,
                                true, {}, -std::chrono::hours(48), std::chrono::hours(24 * 365));
}

LocalCa::~LocalCa() { delete impl_; }

IssuedCertificate LocalCa::issue(const CertificateSpec& spec) const {
  Key leaf(impl_->rng);
  IssuedCertificate out;
  out.cert_pem = write_certificate(impl_->rng, &leaf.pk, &impl_->key.pk, "CN=" + spec.common_name,
                                   impl_->subject, false, spec.dns_names, spec.not_before, spec.not_after);
  out.key_pem = leaf.pem();
  out.chain_pem = out.cert_pem + cert_pem_;
  return out;
}

std::string LocalCa::write_pem_file(const std::string& dir) const {
  static std::atomic<int> n{0};
  std::string path = dir + "/test-ca-" + std::to_string(n++) + ".pem";
  std::ofstream(path) << cert_pem_;
  return path;
}

}  // namespace ecs::localcp
