// Every case of the AWS SigV4 conformance suite (../shared/testdata/sigv4), in header and in
// query mode: canonical request, string to sign, signature and the signed request.
#include <gtest/gtest.h>

#include <simdjson.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/sigv4.h"
#include "support/ci.h"
#include "support/shared_data.h"

namespace ecs::aws {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ParsedRequest {
  std::string request_line;
  std::vector<std::string> header_lines;  // verbatim, folded lines appended to their header
  RequestToSign request;
  std::string body;
};

ParsedRequest parse_request(const std::string& text) {
  ParsedRequest p;
  std::size_t pos = text.find('\n');
  p.request_line = text.substr(0, pos);
  const std::size_t sp1 = p.request_line.find(' ');
  const std::size_t sp2 = p.request_line.rfind(' ');
  p.request.method = p.request_line.substr(0, sp1);
  const std::string target = p.request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::size_t q = target.find('?');
  p.request.path = target.substr(0, q);
  if (q != std::string::npos) p.request.query = target.substr(q + 1);
  pos = pos == std::string::npos ? text.size() : pos + 1;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) {
      if (pos < text.size()) p.body = text.substr(pos);
      break;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      p.header_lines.back() += "\n" + line;
      p.request.headers.back().second += "\n" + line;
      continue;
    }
    p.header_lines.push_back(line);
    const std::size_t colon = line.find(':');
    p.request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return p;
}

std::string signed_request_text(const ParsedRequest& p, const SigningResult& r, bool query_mode) {
  std::string line = p.request_line;
  if (query_mode) {
    std::string extra;
    for (const auto& [k, v] : r.query) extra += (extra.empty() ? "" : "&") + k + "=" + v;
    const std::size_t sp2 = line.rfind(' ');
    const std::string target = line.substr(0, sp2);
    line = target + (p.request.query.empty() ? "?" : "&") + extra + line.substr(sp2);
  }
  std::string out = line + "\n";
  for (const auto& h : p.header_lines) out += h + "\n";
  if (!query_mode) {
    for (const auto& [k, v] : r.headers) out += k + ":" + v + "\n";
  }
  out += "\n" + p.body;
  return out;
}

struct Case {
  std::string name;
  fs::path dir;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  const fs::path root = test::shared_dir() / "testdata" / "sigv4";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory()) out.push_back({entry.path().filename().string(), entry.path()});
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return out;
}

std::chrono::system_clock::time_point parse_time(std::string_view iso) {  // 2015-08-30T12:36:00Z
  std::tm tm{};
  std::istringstream in{std::string(iso)};
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

class SigV4Conformance : public ::testing::TestWithParam<Case> {};

TEST_P(SigV4Conformance, HeaderAndQueryModes) {
  const Case& c = GetParam();
  simdjson::dom::parser parser;
  const std::string context_text = slurp(c.dir / "context.json");
  simdjson::dom::element ctx = parser.parse(context_text);
  Credentials creds;
  creds.access_key_id = std::string(std::string_view(ctx["credentials"]["access_key_id"]));
  creds.secret_access_key = std::string(std::string_view(ctx["credentials"]["secret_access_key"]));
  std::string_view token;
  if (ctx["credentials"]["token"].get(token) == simdjson::SUCCESS) creds.session_token = std::string(token);
  SigningOptions options;
  options.region = std::string(std::string_view(ctx["region"]));
  options.service = std::string(std::string_view(ctx["service"]));
  options.time = parse_time(std::string_view(ctx["timestamp"]));
  options.normalize_path = bool(ctx["normalize"]);
  options.sign_body = bool(ctx["sign_body"]);
  bool omit = false;
  if (ctx["omit_session_token"].get(omit) == simdjson::SUCCESS) options.omit_session_token = omit;
  const auto expires = std::chrono::seconds(int64_t(ctx["expiration_in_seconds"]));

  const ParsedRequest parsed = parse_request(slurp(c.dir / "request.txt"));
  RequestToSign request = parsed.request;
  request.body = parsed.body;

  {
    SCOPED_TRACE("header mode");
    const SigningResult r = sign_headers(request, creds, options);
    EXPECT_EQ(r.canonical_request, slurp(c.dir / "header-canonical-request.txt"));
    EXPECT_EQ(r.string_to_sign, slurp(c.dir / "header-string-to-sign.txt"));
    EXPECT_EQ(r.signature, slurp(c.dir / "header-signature.txt"));
    EXPECT_EQ(signed_request_text(parsed, r, false), slurp(c.dir / "header-signed-request.txt"));
  }
  {
    SCOPED_TRACE("query mode");
    SigningOptions q = options;
    q.sign_body = false;  // presigned URLs carry the payload hash only in the canonical request
    const SigningResult r = presign_query(request, creds, q, expires);
    EXPECT_EQ(r.canonical_request, slurp(c.dir / "query-canonical-request.txt"));
    EXPECT_EQ(r.string_to_sign, slurp(c.dir / "query-string-to-sign.txt"));
    EXPECT_EQ(r.signature, slurp(c.dir / "query-signature.txt"));
    EXPECT_EQ(signed_request_text(parsed, r, true), slurp(c.dir / "query-signed-request.txt"));
  }
}

INSTANTIATE_TEST_SUITE_P(Suite, SigV4Conformance, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           std::string n = param_info.param.name;
                           for (char& ch : n) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SigV4Conformance);

TEST(SigV4ConformanceSuite, HasAll38Cases) {
  if (!fs::exists(test::shared_dir() / "testdata" / "sigv4")) {
    ECS_SKIP_OR_FAIL_IN_CI("../shared/testdata/sigv4 not found at " + test::shared_dir().string() +
                           " (set ECS_SHARED_DIR to the shared folder to run the SigV4 suite)");
  }
  EXPECT_EQ(cases().size(), 38u);
}

}  // namespace
}  // namespace ecs::aws
