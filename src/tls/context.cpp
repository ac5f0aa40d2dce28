#include "tls/context.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "tls/errors.h"

namespace ecs::tls {

struct Context::Impl {
  mbedtls_ssl_config config;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt own_chain;
  mbedtls_pk_context own_key;
  std::shared_ptr<const TrustStore> trust;
  ServerNameObserver on_server_name;

  Impl() {
    mbedtls_ssl_config_init(&config);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&own_chain);
    mbedtls_pk_init(&own_key);
  }
  ~Impl() {
    mbedtls_pk_free(&own_key);
    mbedtls_x509_crt_free(&own_chain);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    mbedtls_ssl_config_free(&config);
  }
};

namespace {

Error mbedtls_failure(int rc, const std::string& what) {
  const error_code ec(rc, mbedtls_category());
  return make_error(ec, what + ": " + ec.message());
}

}  // namespace

Context::Context(Role role) : impl_(std::make_unique<Impl>()), role_(role) {}
Context::~Context() = default;

const mbedtls_ssl_config* Context::config() const { return &impl_->config; }

static Result<void> common_setup(mbedtls_ssl_config& config, mbedtls_entropy_context& entropy,
                                 mbedtls_ctr_drbg_context& drbg, int endpoint) {
  static const char kPersonalization[] = "ecs-agent tls";
  int rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                 reinterpret_cast<const unsigned char*>(kPersonalization),
                                 sizeof kPersonalization);
  if (rc != 0) return mbedtls_failure(rc, "seeding the TLS random generator");
  rc = mbedtls_ssl_config_defaults(&config, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                   MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) return mbedtls_failure(rc, "TLS configuration defaults");
  mbedtls_ssl_conf_rng(&config, mbedtls_ctr_drbg_random, &drbg);
  // TLS 1.2 is the minimum (and, in mbedTLS 2.28, the maximum).
  mbedtls_ssl_conf_min_version(&config, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  // Renegotiation is refused: neither ACS nor the ECS API needs it and it complicates reads.
  mbedtls_ssl_conf_renegotiation(&config, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
  return {};
}

Result<std::shared_ptr<const Context>> Context::client(std::shared_ptr<const TrustStore> trust) {
  std::shared_ptr<Context> ctx(new Context(Role::client));
  Impl& impl = *ctx->impl_;
  if (auto r = common_setup(impl.config, impl.entropy, impl.drbg, MBEDTLS_SSL_IS_CLIENT); !r)
    return r.error();
  impl.trust = std::move(trust);
  // Verification is never optional: the chain must lead to a trusted root and the certificate
  // must be for the host name set on each connection.
  mbedtls_ssl_conf_authmode(&impl.config, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(&impl.config, impl.trust->chain(), nullptr);
  return std::shared_ptr<const Context>(std::move(ctx));
}

namespace {

int observe_sni(void* impl, mbedtls_ssl_context*, const unsigned char* name, std::size_t len) {
  static_cast<Context::ServerNameObserver*>(impl)->operator()(
      std::string_view(reinterpret_cast<const char*>(name), len));
  return 0;  // accept: the certificate is the same whatever the name
}

}  // namespace

Result<std::shared_ptr<const Context>> Context::server(const std::string& chain_pem,
                                                       const std::string& key_pem,
                                                       ServerNameObserver on_server_name) {
  std::shared_ptr<Context> ctx(new Context(Role::server));
  Impl& impl = *ctx->impl_;
  if (auto r = common_setup(impl.config, impl.entropy, impl.drbg, MBEDTLS_SSL_IS_SERVER); !r)
    return r.error();
  int rc = mbedtls_x509_crt_parse(&impl.own_chain, reinterpret_cast<const unsigned char*>(chain_pem.c_str()),
                                  chain_pem.size() + 1);
  if (rc != 0) return mbedtls_failure(rc, "parsing the server certificate chain");
  rc = mbedtls_pk_parse_key(&impl.own_key, reinterpret_cast<const unsigned char*>(key_pem.c_str()),
                            key_pem.size() + 1, nullptr, 0);
  if (rc != 0) return mbedtls_failure(rc, "parsing the server private key");
  rc = mbedtls_ssl_conf_own_cert(&impl.config, &impl.own_chain, &impl.own_key);
  if (rc != 0) return mbedtls_failure(rc, "installing the server certificate");
  mbedtls_ssl_conf_authmode(&impl.config, MBEDTLS_SSL_VERIFY_NONE);
  if (on_server_name) {
    impl.on_server_name = std::move(on_server_name);
    mbedtls_ssl_conf_sni(&impl.config, &observe_sni, &impl.on_server_name);
  }
  return std::shared_ptr<const Context>(std::move(ctx));
}

}  // namespace ecs::tls
