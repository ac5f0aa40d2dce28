#include "aws/sigv4_verify.h"

#include <algorithm>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "core/digest.h"

namespace ecs::aws {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::optional<std::string> header(const Headers& headers, const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (lower(k) == name) return v;
  }
  return std::nullopt;
}

Error denied(const std::string& why) {
  return make_error(errc::make_error_code(errc::permission_denied), "signature rejected: " + why);
}

std::optional<std::chrono::system_clock::time_point> parse_amz_date(const std::string& s) {
  std::tm tm{};
  std::istringstream in(s);
  in >> std::get_time(&tm, "%Y%m%dT%H%M%SZ");
  if (in.fail() || s.size() != 16 || tm.tm_year < 70 || tm.tm_year > 300) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

Result<VerifiedSigner> verify_signature(const ReceivedRequest& request, const SecretLookup& secret_for,
                                        std::chrono::system_clock::time_point now,
                                        std::chrono::minutes max_skew) {
  const auto authorization = header(request.headers, "authorization");
  if (!authorization) return denied("no Authorization header");
  const std::string prefix = "AWS4-HMAC-SHA256 ";
  if (!authorization->starts_with(prefix)) return denied("not AWS4-HMAC-SHA256");
  std::string credential, signed_headers, signature;
  std::istringstream parts(authorization->substr(prefix.size()));
  std::string part;
  while (std::getline(parts, part, ',')) {
    part.erase(0, part.find_first_not_of(' '));
    if (part.starts_with("Credential=")) credential = part.substr(11);
    if (part.starts_with("SignedHeaders=")) signed_headers = part.substr(14);
    if (part.starts_with("Signature=")) signature = part.substr(10);
  }
  // Credential=AKID/YYYYMMDD/region/service/aws4_request
  std::vector<std::string> scope;
  std::istringstream cs(credential);
  while (std::getline(cs, part, '/')) scope.push_back(part);
  if (scope.size() != 5 || scope[4] != "aws4_request" || signed_headers.empty() || signature.empty()) {
    return denied("malformed Authorization header");
  }
  const auto date_header = header(request.headers, "x-amz-date");
  if (!date_header) return denied("no X-Amz-Date header");
  const auto when = parse_amz_date(*date_header);
  if (!when || date_header->substr(0, 8) != scope[1]) return denied("bad X-Amz-Date");
  if (now - *when > max_skew || *when - now > max_skew) return denied("X-Amz-Date too far from now");
  const auto secret = secret_for(scope[0]);
  if (!secret) return denied("unknown access key " + scope[0]);

  // Rebuild exactly the signed headers; the signer adds X-Amz-Date and the token itself.
  RequestToSign to_sign;
  to_sign.method = request.method;
  const auto q = request.target.find('?');
  to_sign.path = request.target.substr(0, q);
  if (q != std::string::npos) to_sign.query = request.target.substr(q + 1);
  to_sign.body = request.body;
  Credentials creds{scope[0], *secret, "", std::nullopt, "request"};
  SigningOptions options;
  options.region = scope[2];
  options.service = scope[3];
  options.time = *when;
  std::istringstream names(signed_headers);
  while (std::getline(names, part, ';')) {
    if (part == "x-amz-date") continue;
    if (part == "x-amz-security-token") {
      creds.session_token = header(request.headers, part).value_or("");
      continue;
    }
    if (part == "x-amz-content-sha256") {
      options.sign_body = true;
      options.payload_hash = header(request.headers, part).value_or("");
      continue;
    }
    auto value = header(request.headers, part);
    if (!value) return denied("signed header " + part + " missing");
    to_sign.headers.emplace_back(part, *value);
  }
  if (!options.payload_hash) options.payload_hash = sha256_hex(request.body);
  const SigningResult expected = sign_headers(to_sign, creds, options);
  if (expected.signature != signature) return denied("signature does not match");
  return VerifiedSigner{scope[0], scope[2], scope[3], signed_headers, !creds.session_token.empty()};
}

}  // namespace ecs::aws
