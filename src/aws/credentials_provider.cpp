#include "aws/credentials_provider.h"

#include <simdjson.h>

#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "core/error_category.h"
#include "core/file.h"
#include "core/log.h"
#include "core/rfc3339.h"

namespace ecs::aws {
namespace {

class CredentialsCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "credentials"; }
  std::string message(int ev) const override {
    switch (static_cast<CredentialsErrc>(ev)) {
      case CredentialsErrc::not_found:
        return "no credentials in this source";
      case CredentialsErrc::malformed:
        return "credentials malformed";
      case CredentialsErrc::unavailable:
        return "credentials source unavailable";
      case CredentialsErrc::no_provider:
        return "no credentials found by any provider";
    }
    return "credentials error";
  }
};

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

const boost::system::error_category& credentials_category() {
  static const CredentialsCategory c;
  return c;
}

error_code make_error_code(CredentialsErrc e) { return {static_cast<int>(e), credentials_category()}; }

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  // IMDS and credential files also write the offset without a colon.
  if (text.ends_with("+0000")) {
    std::string utc(text.substr(0, text.size() - 5));
    utc += 'Z';
    return ecs::parse_rfc3339(utc);
  }
  return ecs::parse_rfc3339(text);
}

asio::awaitable<Result<Credentials>> EnvironmentCredentialsProvider::retrieve() {
  Credentials c;
  c.access_key_id = env_value(env_, "AWS_ACCESS_KEY_ID").value_or("");
  c.secret_access_key = env_value(env_, "AWS_SECRET_ACCESS_KEY").value_or("");
  c.session_token = env_value(env_, "AWS_SESSION_TOKEN").value_or("");
  c.source = name();
  if (c.access_key_id.empty() && c.secret_access_key.empty()) {
    co_return make_error(CredentialsErrc::not_found,
                         "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    co_return make_error(
        CredentialsErrc::malformed,
        std::string(c.access_key_id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
            " is not set while the other is");
  }
  co_return c;
}

SharedFileCredentialsProvider::SharedFileCredentialsProvider(std::string path, std::string profile,
                                                             Clock& clock,
                                                             std::optional<std::chrono::seconds> lifetime)
    : path_(std::move(path)), profile_(std::move(profile)), clock_(clock), lifetime_(lifetime) {}

asio::awaitable<Result<Credentials>> SharedFileCredentialsProvider::retrieve() {
  auto text = read_file(path_);
  if (!text) {
    if (text.error().code == errc::no_such_file_or_directory) {
      co_return make_error(CredentialsErrc::not_found, "no credentials file at " + path_);
    }
    co_return make_error(CredentialsErrc::unavailable, text.error().message);
  }
  auto parsed = parse_credentials_file(*text, profile_, path_);
  if (!parsed) co_return parsed.error();
  Credentials c = std::move(*parsed);
  c.source = name();
  if (lifetime_) c.expiration = clock_.wall_now() + *lifetime_;
  co_return c;
}

Result<Credentials> parse_credentials_file(std::string_view text, const std::string& profile,
                                           const std::string& path) {
  Credentials c;
  std::istringstream in{std::string(text)};
  std::string line;
  bool in_profile = false;
  bool found_profile = false;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      in_profile = trim(std::string_view(t).substr(1, t.size() - 2)) == profile;
      found_profile = found_profile || in_profile;
      continue;
    }
    if (!in_profile) continue;
    const auto eq = t.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = trim(std::string_view(t).substr(0, eq));
    const std::string value = trim(std::string_view(t).substr(eq + 1));
    if (key == "aws_access_key_id") c.access_key_id = value;
    if (key == "aws_secret_access_key") c.secret_access_key = value;
    if (key == "aws_session_token") c.session_token = value;
  }
  if (!found_profile)
    return make_error(CredentialsErrc::not_found, "profile [" + profile + "] not in " + path);
  if (c.empty()) {
    return make_error(CredentialsErrc::malformed, "profile [" + profile + "] in " + path +
                                                      " lacks aws_access_key_id or aws_secret_access_key");
  }
  return c;
}

Result<Credentials> parse_imds_credentials(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return make_error(CredentialsErrc::malformed, "IMDS credentials document is not a JSON object");
  }
  auto field = [&](const char* k) -> std::string {
    std::string_view v;
    return doc[k].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
  };
  const std::string code = field("Code");
  if (!code.empty() && code != "Success") {
    return make_error(CredentialsErrc::unavailable, "IMDS credentials Code is '" + code + "'");
  }
  Credentials c;
  c.access_key_id = field("AccessKeyId");
  c.secret_access_key = field("SecretAccessKey");
  c.session_token = field("Token");
  c.source = "EC2 instance metadata";
  if (c.empty())
    return make_error(CredentialsErrc::malformed, "IMDS credentials lack AccessKeyId or SecretAccessKey");
  const std::string expiration = field("Expiration");
  if (!expiration.empty()) {
    c.expiration = parse_rfc3339(expiration);
    if (!c.expiration) {
      return make_error(CredentialsErrc::malformed,
                        "IMDS credentials Expiration '" + expiration + "' is not RFC 3339");
    }
  }
  return c;
}

asio::awaitable<Result<Credentials>> ImdsCredentialsProvider::retrieve() {
  auto roles = co_await imds_.get("/latest/meta-data/iam/security-credentials/");
  if (!roles) {
    const bool absent = roles.error().code == ImdsErrc::disabled || roles.error().code == ImdsErrc::not_found;
    co_return make_error(absent ? CredentialsErrc::not_found : CredentialsErrc::unavailable,
                         roles.error().message);
  }
  const std::string role = trim(std::string_view(*roles).substr(0, roles->find('\n')));
  if (role.empty()) co_return make_error(CredentialsErrc::not_found, "no IAM role attached to the instance");
  auto doc = co_await imds_.get("/latest/meta-data/iam/security-credentials/" + role);
  if (!doc) co_return make_error(CredentialsErrc::unavailable, doc.error().message);
  co_return parse_imds_credentials(*doc);
}

asio::awaitable<Result<Credentials>> ChainCredentialsProvider::retrieve() {
  std::string tried;
  for (const auto& p : providers_) {
    auto r = co_await p->retrieve();
    if (r) co_return r;
    tried += (tried.empty() ? "" : "; ") + p->name() + ": " + r.error().message;
    // A source that has credentials but cannot serve them right now is reported, and the
    // chain goes on, as the SDK's does.
  }
  co_return make_error(CredentialsErrc::no_provider, "no AWS credentials found (" + tried + ")");
}

CachingCredentialsProvider::CachingCredentialsProvider(std::shared_ptr<CredentialsProvider> inner,
                                                       Clock& clock, std::chrono::seconds max_refresh_ahead)
    : inner_(std::move(inner)), clock_(clock), max_refresh_ahead_(max_refresh_ahead) {}

bool CachingCredentialsProvider::fresh() const {
  if (!cached_) return false;
  if (!cached_->expiration) return true;  // long-term keys
  // Refresh ahead of expiry: 5 min for hour-long credentials, a quarter of the lifetime for
  // short ones (the rotating file's one minute).
  const auto lifetime = *cached_->expiration - obtained_;
  const auto ahead = std::min<std::chrono::system_clock::duration>(max_refresh_ahead_, lifetime / 4);
  return clock_.wall_now() < *cached_->expiration - ahead;
}

asio::awaitable<Result<Credentials>> CachingCredentialsProvider::retrieve() {
  if (fresh()) co_return *cached_;
  if (refreshing_) {
    auto event = refreshing_;  // another caller is already refreshing: share its result
    co_await event->wait();
    if (last_result_) co_return *last_result_;
  }
  auto event = std::make_shared<AsyncEvent>(co_await asio::this_coro::executor);
  refreshing_ = event;
  ++refreshes_;
  Result<Credentials> r = co_await inner_->retrieve();
  if (r) {
    cached_ = *r;
    obtained_ = clock_.wall_now();
    log::info("AWS credentials refreshed", {{"from", r->source}, {"accessKeyId", r->redacted()}});
  } else if (cached_ && cached_->expiration && clock_.wall_now() < *cached_->expiration) {
    // Keep using credentials that have not expired yet when a refresh fails.
    log::warn("refreshing AWS credentials failed; using the current ones until they expire",
              {{"error", r.error().message}});
    r = *cached_;
  }
  last_result_ = r;
  refreshing_.reset();
  event->set();
  co_return r;
}

}  // namespace ecs::aws
