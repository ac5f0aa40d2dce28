// Where the agent's own AWS credentials come from. The chain tries, in order: the environment
// (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN), the ECS Anywhere rotating
// credentials file (written by the SSM agent, re-read every minute), and the EC2 instance role
// through IMDS. CachingCredentialsProvider keeps the result, refreshes it ahead of expiry and
// lets concurrent callers share one refresh.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/imds_client.h"
#include "core/async_event.h"
#include "core/clock.h"
#include "core/environment.h"
#include "core/error.h"

namespace ecs::aws {

enum class CredentialsErrc {
  not_found = 1,  // this source has no credentials (try the next one)
  malformed,      // the source has credentials, but they cannot be used
  unavailable,    // the source could not be reached
  no_provider,    // the whole chain came up empty
};
const boost::system::error_category& credentials_category();
error_code make_error_code(CredentialsErrc e);

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual asio::awaitable<Result<Credentials>> retrieve() = 0;
  virtual std::string name() const = 0;
};

// Fixed credentials (the local control plane, tests).
class StaticCredentialsProvider : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials c) : credentials_(std::move(c)) {}
  asio::awaitable<Result<Credentials>> retrieve() override { co_return credentials_; }
  std::string name() const override { return "static"; }

 private:
  Credentials credentials_;
};

class EnvironmentCredentialsProvider : public CredentialsProvider {
 public:
  // Reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN through `env` on every
  // retrieve.
  explicit EnvironmentCredentialsProvider(EnvLookup env) : env_(std::move(env)) {}
  asio::awaitable<Result<Credentials>> retrieve() override;
  std::string name() const override { return "environment"; }

 private:
  EnvLookup env_;
};

// An INI credentials file ([profile] aws_access_key_id / aws_secret_access_key /
// aws_session_token), re-read on every retrieve. Rotating files expire their credentials a
// minute after reading, so they are re-read about every minute.
class SharedFileCredentialsProvider : public CredentialsProvider {
 public:
  SharedFileCredentialsProvider(std::string path, std::string profile, Clock& clock,
                                std::optional<std::chrono::seconds> lifetime = std::chrono::minutes(1));
  asio::awaitable<Result<Credentials>> retrieve() override;
  std::string name() const override { return "credentials file " + path_; }

 private:
  std::string path_;
  std::string profile_;
  Clock& clock_;
  std::optional<std::chrono::seconds> lifetime_;
};

// The instance role's credentials from IMDS (iam/security-credentials/<role>).
class ImdsCredentialsProvider : public CredentialsProvider {
 public:
  explicit ImdsCredentialsProvider(ImdsClient& imds) : imds_(imds) {}
  asio::awaitable<Result<Credentials>> retrieve() override;
  std::string name() const override { return "EC2 instance metadata"; }

 private:
  ImdsClient& imds_;
};

class ChainCredentialsProvider : public CredentialsProvider {
 public:
  explicit ChainCredentialsProvider(std::vector<std::shared_ptr<CredentialsProvider>> providers)
      : providers_(std::move(providers)) {}
  asio::awaitable<Result<Credentials>> retrieve() override;
  std::string name() const override { return "credentials chain"; }

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> providers_;
};

class CachingCredentialsProvider : public CredentialsProvider {
 public:
  CachingCredentialsProvider(std::shared_ptr<CredentialsProvider> inner, Clock& clock,
                             std::chrono::seconds max_refresh_ahead = std::chrono::minutes(5));
  asio::awaitable<Result<Credentials>> retrieve() override;
  std::string name() const override { return inner_->name(); }
  int refreshes() const { return refreshes_; }

 private:
  bool fresh() const;
  std::shared_ptr<CredentialsProvider> inner_;
  Clock& clock_;
  std::chrono::seconds max_refresh_ahead_;
  std::optional<Credentials> cached_;
  std::chrono::system_clock::time_point obtained_{};
  std::shared_ptr<AsyncEvent> refreshing_;
  std::optional<Result<Credentials>> last_result_;
  int refreshes_ = 0;
};

// Parses an AWS INI credentials file's [profile] section (aws_access_key_id,
// aws_secret_access_key, aws_session_token); not_found if the profile is absent.
Result<Credentials> parse_credentials_file(std::string_view text, const std::string& profile,
                                           const std::string& path_for_messages);
// Parses IMDS's credentials document ({"Code":"Success","AccessKeyId":...,"Expiration":...}).
Result<Credentials> parse_imds_credentials(std::string_view json);
// Parses an RFC 3339 UTC time such as 2030-01-01T00:00:00Z (fractions allowed).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace ecs::aws

template <>
struct boost::system::is_error_code_enum<ecs::aws::CredentialsErrc> : std::true_type {};
