#include "aws/sigv4.h"

#include <algorithm>
#include <ctime>
#include <map>

#include "core/digest.h"
#include "core/url.h"

namespace ecs::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Headers the AWS SDKs never sign: they change in transit or are added by the transport.
bool unsignable(const std::string& lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" || lower_name == "x-amzn-trace-id" ||
         lower_name == "expect" || lower_name == "transfer-encoding";
}

// Trims and turns every run of whitespace (including folded lines) into one space.
std::string canonical_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string normalized_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t pos = 0;
  bool trailing_slash = false;
  while (pos <= path.size()) {
    const std::size_t next = std::min(path.find('/', pos), path.size());
    const std::string_view seg = path.substr(pos, next - pos);
    trailing_slash = seg.empty() || seg == "." || seg == "..";
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = next + 1;
  }
  std::string out;
  for (auto seg : segments) {
    out.push_back('/');
    out.append(seg);
  }
  if (out.empty() || trailing_slash) out.push_back('/');
  return out;
}

std::string canonical_query(std::string_view raw,
                            const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const std::size_t amp = std::min(raw.find('&', pos), raw.size());
    const std::string_view piece = raw.substr(pos, amp - pos);
    pos = amp + 1;
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    const std::string_view k = piece.substr(0, eq);
    const std::string_view v = eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    params.emplace_back(percent_encode(percent_decode(k, true)), percent_encode(percent_decode(v, true)));
  }
  params.insert(params.end(), extra.begin(), extra.end());
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;           // "name:value\n" for each, sorted
  std::string signed_headers;  // "a;b;c"
};

CanonicalHeaders canonical_headers(const Headers& headers) {
  std::map<std::string, std::string> merged;  // sorted by lowercase name
  for (const auto& [name, value] : headers) {
    std::string key = lower(name);
    if (unsignable(key)) continue;
    auto [it, inserted] = merged.try_emplace(std::move(key), canonical_value(value));
    if (!inserted) it->second += "," + canonical_value(value);  // repeated headers, in order
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.block.append(name).append(":").append(value).append("\n");
    if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
    out.signed_headers += name;
  }
  return out;
}

std::string date_only(const std::string& amz) { return amz.substr(0, 8); }

std::string scope(const std::string& amz, const SigningOptions& o) {
  return date_only(amz) + "/" + o.region + "/" + o.service + "/aws4_request";
}

std::string sign(const Credentials& c, const std::string& amz, const SigningOptions& o,
                 const std::string& sts) {
  const Sha256 k_date = hmac_sha256("AWS4" + c.secret_access_key, date_only(amz));
  const Sha256 k_region = hmac_sha256(k_date, o.region);
  const Sha256 k_service = hmac_sha256(k_region, o.service);
  const Sha256 k_signing = hmac_sha256(k_service, "aws4_request");
  return hex(hmac_sha256(k_signing, sts));
}

std::string string_to_sign(const std::string& amz, const SigningOptions& o, const std::string& canonical) {
  return std::string(kAlgorithm) + "\n" + amz + "\n" + scope(amz, o) + "\n" + sha256_hex(canonical);
}

std::string canonical_request(const RequestToSign& r, const SigningOptions& o, const std::string& query,
                              const CanonicalHeaders& h, const std::string& payload_hash) {
  std::string path = o.normalize_path ? normalized_path(r.path) : (r.path.empty() ? "/" : r.path);
  return r.method + "\n" + percent_encode(path, /*keep_slash=*/true) + "\n" + query + "\n" + h.block + "\n" +
         h.signed_headers + "\n" + payload_hash;
}

}  // namespace

std::string amz_date(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[17];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

SigningResult sign_headers(const RequestToSign& request, const Credentials& credentials,
                           const SigningOptions& options) {
  const std::string amz = amz_date(options.time);
  const std::string payload_hash = options.payload_hash ? *options.payload_hash : sha256_hex(request.body);
  const bool token = !credentials.session_token.empty();

  SigningResult result;
  if (token) result.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  result.headers.emplace_back("X-Amz-Date", amz);
  if (options.sign_body) result.headers.emplace_back("x-amz-content-sha256", payload_hash);

  Headers to_sign = request.headers;
  for (const auto& h : result.headers) {
    if (h.first == "X-Amz-Security-Token" && options.omit_session_token) continue;
    to_sign.push_back(h);
  }
  const CanonicalHeaders canonical = canonical_headers(to_sign);
  result.canonical_request =
      canonical_request(request, options, canonical_query(request.query, {}), canonical, payload_hash);
  result.string_to_sign = string_to_sign(amz, options, result.canonical_request);
  result.signature = sign(credentials, amz, options, result.string_to_sign);
  result.headers.emplace_back("Authorization",
                              std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                                  scope(amz, options) + ", SignedHeaders=" + canonical.signed_headers +
                                  ", Signature=" + result.signature);
  return result;
}

SigningResult sign_upgrade_request(const Url& url, const Credentials& credentials, const std::string& region,
                                   const std::string& service, std::chrono::system_clock::time_point time) {
  RequestToSign request;
  request.method = "GET";
  request.path = url.path;
  request.query = url.query;
  request.headers = {{"Host", url.authority()}};
  SigningOptions options;
  options.region = region;
  options.service = service;
  options.time = time;
  options.payload_hash = std::string(kEmptyPayloadHash);
  return sign_headers(request, credentials, options);
}

SigningResult presign_query(const RequestToSign& request, const Credentials& credentials,
                            const SigningOptions& options, std::chrono::seconds expires) {
  const std::string amz = amz_date(options.time);
  const std::string payload_hash = options.payload_hash ? *options.payload_hash : sha256_hex(request.body);
  const CanonicalHeaders canonical = canonical_headers(request.headers);

  SigningResult result;
  result.query = {
      {"X-Amz-Algorithm", std::string(kAlgorithm)},
      {"X-Amz-Credential", percent_encode(credentials.access_key_id + "/" + scope(amz, options))},
      {"X-Amz-Date", amz},
      {"X-Amz-SignedHeaders", percent_encode(canonical.signed_headers)},
      {"X-Amz-Expires", std::to_string(expires.count())},
  };
  const bool token = !credentials.session_token.empty();
  if (token && !options.omit_session_token) {
    result.query.emplace_back("X-Amz-Security-Token", percent_encode(credentials.session_token));
  }
  result.canonical_request = canonical_request(request, options, canonical_query(request.query, result.query),
                                               canonical, payload_hash);
  result.string_to_sign = string_to_sign(amz, options, result.canonical_request);
  result.signature = sign(credentials, amz, options, result.string_to_sign);
  if (token && options.omit_session_token) {
    result.query.emplace_back("X-Amz-Security-Token", percent_encode(credentials.session_token));
  }
  result.query.emplace_back("X-Amz-Signature", result.signature);
  return result;
}

}  // namespace ecs::aws
