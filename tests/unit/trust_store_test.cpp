#include "tls/trust_store.h"

#include <gtest/gtest.h>
#include <mbedtls/x509_crt.h>

#include <fstream>

#include "support/temp_dir.h"
#include "support/test_ca.h"

namespace ecs::tls {
namespace {

TEST(TrustStore, EmbeddedBundleIsTheDebianBundleAndParses) {
  const std::string_view pem = embedded_ca_bundle_pem();
  ASSERT_FALSE(pem.empty());
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE-----"));
  auto store = TrustStore::load({});
  ASSERT_TRUE(store) << store.error().message;
  // Debian 12's ca-certificates holds ~140 roots; mbedTLS must be able to use nearly all.
  EXPECT_GT((*store)->embedded_count(), 100u);
  EXPECT_LT((*store)->embedded_skipped(), 10u);
  EXPECT_EQ((*store)->extra_count(), 0u);
  EXPECT_NE((*store)->chain(), nullptr);
}

TEST(TrustStore, AwsCaBundleAddsItsCertificates) {
  test::TempDir dir;
  test::TestCa ca;
  TrustStoreOptions options;
  options.extra_bundle_path = ca.write_pem_file(dir.path());
  auto with_extra = TrustStore::load(options);
  ASSERT_TRUE(with_extra) << with_extra.error().message;
  auto plain = TrustStore::load({});
  ASSERT_TRUE(plain);
  EXPECT_EQ((*with_extra)->extra_count(), 1u);
  EXPECT_EQ((*with_extra)->embedded_count(), (*plain)->embedded_count());
  EXPECT_EQ((*with_extra)->extra_bundle_path(), options.extra_bundle_path);
}

TEST(TrustStore, ExtraBundleAloneWhenEmbeddedDisabled) {
  test::TempDir dir;
  test::TestCa ca;
  TrustStoreOptions options;
  options.use_embedded = false;
  options.extra_bundle_path = ca.write_pem_file(dir.path());
  auto store = TrustStore::load(options);
  ASSERT_TRUE(store);
  EXPECT_EQ((*store)->embedded_count(), 0u);
  EXPECT_EQ((*store)->extra_count(), 1u);
}

TEST(TrustStore, MissingAwsCaBundleIsATypedErrorNamingTheFile) {
  test::TempDir dir;
  TrustStoreOptions options;
  options.extra_bundle_path = dir.file("missing.pem");
  auto store = TrustStore::load(options);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, TrustStoreErrc::unreadable);
  EXPECT_NE(store.error().message.find("AWS_CA_BUNDLE"), std::string::npos);
  EXPECT_NE(store.error().message.find(dir.file("missing.pem")), std::string::npos);
}

TEST(TrustStore, GarbageAwsCaBundleIsATypedError) {
  test::TempDir dir;
  std::ofstream(dir.file("junk.pem"))
      << "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n";
  std::ofstream(dir.file("empty.pem")) << "";
  for (const char* name : {"junk.pem", "empty.pem"}) {
    TrustStoreOptions options;
    options.extra_bundle_path = dir.file(name);
    auto store = TrustStore::load(options);
    ASSERT_FALSE(store) << name;
    EXPECT_EQ(store.error().code, TrustStoreErrc::no_certificates) << name;
    EXPECT_NE(store.error().message.find(dir.file(name)), std::string::npos);
  }
}

}  // namespace
}  // namespace ecs::tls
