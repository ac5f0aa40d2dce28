#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include "core/url.h"

namespace ecs::aws {
namespace {

std::chrono::system_clock::time_point jan1_2024() {
  return std::chrono::system_clock::from_time_t(1704067200);
}

// shared/spec/acs-protocol.md Appendix A: the ACS upgrade request.
TEST(SigV4, AcsUpgradeVectorOfAppendixA) {
  const std::string wire =
      "wss://ecs-a-1.us-west-2.amazonaws.com/ws?agentHash=ffffffff&agentVersion=1.23.4&clusterArn=default&"
      "containerInstanceArn=arn%3Aaws%3Aecs%3Aus-west-2%3A123456789012%3Acontainer-instance%2Fa1b2c3d4-5678-"
      "90ab-"
      "cdef-11111EXAMPLE&dockerVersion=DockerVersion%3A+1.2.3&protocolVersion=2&sendCredentials=true&seqNum="
      "1";
  auto url = parse_url(wire);
  ASSERT_TRUE(url);
  Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN", std::nullopt, "test"};
  const SigningResult r = sign_upgrade_request(*url, creds, "us-west-2", "ecs", jan1_2024());
  EXPECT_EQ(
      r.canonical_request,
      "GET\n/ws\n"
      "agentHash=ffffffff&agentVersion=1.23.4&clusterArn=default&containerInstanceArn=arn%3Aaws%3Aecs%3Aus-"
      "west-2%3A123456789012%3Acontainer-instance%2Fa1b2c3d4-5678-90ab-cdef-11111EXAMPLE&dockerVersion="
      "DockerVersion%3A%201.2.3&protocolVersion=2&sendCredentials=true&seqNum=1\n"
      "host:ecs-a-1.us-west-2.amazonaws.com\nx-amz-date:20240101T000000Z\nx-amz-security-token:TOKEN\n\n"
      "host;x-amz-date;x-amz-security-token\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(r.string_to_sign,
            "AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-west-2/ecs/aws4_request\n"
            "1ab8fd5c7dab39cc4fd67d55b032e5b1bc8eb6770d742bd6c5c236a1651cc0e2");
  const Headers expected = {
      {"X-Amz-Security-Token", "TOKEN"},
      {"X-Amz-Date", "20240101T000000Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-west-2/ecs/aws4_request, "
       "SignedHeaders=host;x-amz-date;x-amz-security-token, "
       "Signature=f773c88901f7ca8daba774ad5a32e5b15623a0eec1ba1a2b90ef259594e1d54e"},
  };
  EXPECT_EQ(r.headers, expected);
  for (const auto& [k, v] : r.headers) EXPECT_NE(k, "X-Amz-Content-Sha256");
}

TEST(SigV4, WithoutSessionTokenSignsOnlyHostAndDate) {
  auto url = parse_url("wss://ecs-a-1.us-west-2.amazonaws.com/ws?seqNum=1");
  ASSERT_TRUE(url);
  Credentials creds{"AKID", "secret", "", std::nullopt, "test"};
  const SigningResult r = sign_upgrade_request(*url, creds, "us-west-2", "ecs", jan1_2024());
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].first, "X-Amz-Date");
  EXPECT_NE(r.headers[1].second.find("SignedHeaders=host;x-amz-date,"), std::string::npos);
}

TEST(SigV4, ExplicitPortStaysInTheSignedHost) {
  auto url = parse_url("wss://127.0.0.1:8443/ws");
  ASSERT_TRUE(url);
  const SigningResult r =
      sign_upgrade_request(*url, {"AKID", "s", "", std::nullopt, ""}, "r", "ecs", jan1_2024());
  EXPECT_NE(r.canonical_request.find("\nhost:127.0.0.1:8443\n"), std::string::npos) << r.canonical_request;
}

TEST(SigV4, UserAgentAndAuthorizationAreNeverSigned) {
  RequestToSign req;
  req.method = "POST";
  req.headers = {{"Host", "ecs.us-east-1.amazonaws.com"},
                 {"User-Agent", "x"},
                 {"X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DiscoverPollEndpoint"},
                 {"Content-Type", "application/x-amz-json-1.1"}};
  req.body = "{}";
  SigningOptions o;
  o.region = "us-east-1";
  o.service = "ecs";
  o.time = jan1_2024();
  const SigningResult r = sign_headers(req, {"AKID", "s", "", std::nullopt, ""}, o);
  EXPECT_NE(r.canonical_request.find("\ncontent-type;host;x-amz-date;x-amz-target\n"), std::string::npos)
      << r.canonical_request;
}

TEST(SigV4, AmzDateFormat) {
  EXPECT_EQ(amz_date(jan1_2024() + std::chrono::seconds(3661)), "20240101T010101Z");
}

}  // namespace
}  // namespace ecs::aws
