// AWS Signature Version 4: signing into the Authorization header and presigning into the query
// string, as the AWS SDKs do (checked against the AWS SigV4 conformance suite).
//
// The request is described as it goes on the wire: path and query exactly as sent (the path is
// percent-encoded once more for the canonical request, which is SigV4's rule for every service
// but S3; the query is decoded — '+' as space, like Go's url.ParseQuery — and re-encoded with
// %20). That makes the ACS websocket upgrade (a GET of /ws?<form-encoded query>, service
// "ecs", empty payload, no X-Amz-Content-Sha256) an ordinary call of sign_headers().
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.h"

namespace ecs {
struct Url;
}

namespace ecs::aws {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct RequestToSign {
  std::string method;
  std::string path = "/";  // as on the wire
  std::string query;       // as on the wire, without '?'
  Headers headers;         // must include Host
  std::string_view body;
};

struct SigningOptions {
  std::string region;
  std::string service;
  std::chrono::system_clock::time_point time;
  bool normalize_path = true;               // remove dot segments and empty segments
  bool sign_body = false;                   // add (and sign) x-amz-content-sha256
  bool omit_session_token = false;          // add the token after signing instead of signing it
  std::optional<std::string> payload_hash;  // hex SHA-256 of the body if already known
};

struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // hex
  // Header mode: headers to add, in the order they are added to the request.
  Headers headers;
  // Query mode: parameters to append, already percent-encoded, in order.
  std::vector<std::pair<std::string, std::string>> query;
};

SigningResult sign_headers(const RequestToSign& request, const Credentials& credentials,
                           const SigningOptions& options);
SigningResult presign_query(const RequestToSign& request, const Credentials& credentials,
                            const SigningOptions& options, std::chrono::seconds expires);

// The ACS websocket upgrade: GET of url's path and query, header-signed with only Host (the
// URL's host[:port]) and X-Amz-Date (+ X-Amz-Security-Token), empty payload hash, no
// X-Amz-Content-Sha256. Returns the headers to send.
SigningResult sign_upgrade_request(const Url& url, const Credentials& credentials, const std::string& region,
                                   const std::string& service, std::chrono::system_clock::time_point time);

// YYYYMMDDTHHMMSSZ
std::string amz_date(std::chrono::system_clock::time_point t);
// SHA-256 of the empty string: the payload hash of bodiless requests such as the ACS upgrade.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace ecs::aws
