// The agent's configuration: environment, then the config file, then defaults; invalid values
// stop start-up with an error naming the variable.
#include "app/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "app/agent.h"
#include "app/environment_variables.h"
#include "app/healthcheck.h"
#include "app/registration.h"
#include "aws/credentials_provider.h"
#include "aws/imds_client.h"
#include "aws/proxy.h"
#include "support/temp_dir.h"
#include "tls/trust_store.h"

namespace ecs::app {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  Result<LoadedConfig> load() {
    return load_config(
        [this](std::string_view n) -> std::optional<std::string> {
          auto it = env.find(std::string(n));
          if (it == env.end()) return std::nullopt;
          return it->second;
        },
        [this](const std::string& path) -> Result<std::optional<std::string>> {
          read_paths.push_back(path);
          auto it = files.find(path);
          if (it == files.end()) return std::optional<std::string>();
          return std::optional<std::string>(it->second);
        });
  }
  AgentConfig config() {
    auto r = load();
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->config : AgentConfig{};
  }
  std::string error() {
    auto r = load();
    EXPECT_FALSE(r);
    if (r) return "";
    EXPECT_EQ(r.error().code, ConfigErrc::invalid_value) << r.error().message;
    return r.error().message;
  }

  std::map<std::string, std::string> env;
  std::map<std::string, std::string> files;
  std::vector<std::string> read_paths;
};

TEST_F(ConfigTest, DefaultsWithNothingSet) {
  const AgentConfig c = config();
  EXPECT_EQ(c.cluster, "default");
  EXPECT_EQ(c.region, "");
  EXPECT_EQ(c.backend_host, "");
  EXPECT_EQ(c.data_dir, "/data/");
  EXPECT_FALSE(c.checkpoint);
  EXPECT_EQ(c.log_level, log::Level::info);
  EXPECT_EQ(c.log_format, log::Format::logfmt);
  EXPECT_EQ(c.docker_host, "unix:///var/run/docker.sock");
  EXPECT_FALSE(c.updates_enabled);
  EXPECT_EQ(c.introspection_addr.to_string(), "127.0.0.1:51678");
  EXPECT_EQ(c.credentials_addr.to_string(), "127.0.0.1:51679");
  EXPECT_EQ(c.config_file, "");
  EXPECT_EQ(read_paths, std::vector<std::string>{"/etc/ecs/ecs.config"});
}

TEST_F(ConfigTest, EnvironmentWinsOverTheFile) {
  files["/etc/ecs/ecs.config"] =
      "# written by the AMI\nECS_CLUSTER=from-file\n\nECS_LOGLEVEL=debug\r\nECS_ENABLE_TASK_IAM_ROLE=true\n";
  env["ECS_CLUSTER"] = "  from-env  ";
  auto r = load();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->config.cluster, "from-env");  // trimmed
  EXPECT_EQ(r->config.log_level, log::Level::debug);
  EXPECT_EQ(r->config.config_file, "/etc/ecs/ecs.config");
  // What the file contributes to the merged view: everything the environment does not set.
  const std::vector<std::pair<std::string, std::string>> exported{{"ECS_ENABLE_TASK_IAM_ROLE", "true"},
                                                                  {"ECS_LOGLEVEL", "debug"}};
  EXPECT_EQ(r->from_file, exported);
  // The file's ECS_CLUSTER is not used, and the agent says so at start.
  EXPECT_EQ(r->config.overridden_in_file, std::vector<std::string>{"ECS_CLUSTER"});
  // ... which is what the parts that read their own variables see, environment first.
  EXPECT_EQ(r->config.env("ECS_ENABLE_TASK_IAM_ROLE"), "true");
  EXPECT_EQ(r->config.env("ECS_CLUSTER"), "  from-env  ");
  EXPECT_EQ(r->config.env("ECS_LOGLEVEL"), "debug");
  EXPECT_EQ(r->config.env("ECS_NOT_SET_ANYWHERE"), std::nullopt);
}

TEST_F(ConfigTest, ConfigFilePathCanBeChangedAndMustThenExist) {
  env["ECS_CONFIG_FILE"] = "/tmp/my.config";
  files["/tmp/my.config"] = "ECS_CLUSTER=mine\n";
  EXPECT_EQ(config().cluster, "mine");
  env["ECS_CONFIG_FILE"] = "/tmp/missing.config";
  auto r = load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ConfigErrc::bad_file);
  EXPECT_NE(r.error().message.find("/tmp/missing.config"), std::string::npos) << r.error().message;
}

TEST_F(ConfigTest, ABadLineNamesTheFileAndLine) {
  files["/etc/ecs/ecs.config"] = "ECS_CLUSTER=a\nthis is not a setting\n";
  auto r = load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ConfigErrc::bad_file);
  EXPECT_EQ(r.error().message, "/etc/ecs/ecs.config:2: expected KEY=VALUE, got \"this is not a setting\"");
}

TEST_F(ConfigTest, ValuesAreTakenLiterallyAfterTheFirstEquals) {
  auto pairs = parse_config_file("A=b=c\nB=\"quoted\"\n  C = spaced\nD=\n", "f");
  ASSERT_TRUE(pairs);
  const std::vector<std::pair<std::string, std::string>> expected{
      {"A", "b=c"}, {"B", "\"quoted\""}, {"C", " spaced"}, {"D", ""}};
  EXPECT_EQ(*pairs, expected);
}

TEST_F(ConfigTest, RegionPrefersAwsRegion) {
  env["AWS_DEFAULT_REGION"] = "eu-west-1";
  EXPECT_EQ(config().region, "eu-west-1");
  env["AWS_REGION"] = "us-west-2";
  EXPECT_EQ(config().region, "us-west-2");
  env["AWS_REGION"] = "us west 2";
  EXPECT_EQ(error(), "AWS_REGION=\"us west 2\": expected a region name such as us-west-2");
}

TEST_F(ConfigTest, BackendHostGetsAScheme) {
  env["ECS_BACKEND_HOST"] = "ecs.us-west-2.amazonaws.com";
  EXPECT_EQ(config().backend_host, "https://ecs.us-west-2.amazonaws.com");
  env["ECS_BACKEND_HOST"] = "http://127.0.0.1:8443";
  EXPECT_EQ(config().backend_host, "http://127.0.0.1:8443");
  env["ECS_BACKEND_HOST"] = "ftp://x";
  EXPECT_NE(error().find("ECS_BACKEND_HOST=\"ftp://x\""), std::string::npos);
}

// The reference's rule: an explicit ECS_CHECKPOINT wins; unset, it is on iff ECS_DATADIR is set.
TEST_F(ConfigTest, CheckpointFollowsDataDirUnlessExplicit) {
  EXPECT_FALSE(config().checkpoint);
  env["ECS_DATADIR"] = "/var/lib/ecs/data";
  EXPECT_TRUE(config().checkpoint);
  EXPECT_EQ(config().data_dir, "/var/lib/ecs/data");
  env["ECS_CHECKPOINT"] = "false";
  EXPECT_FALSE(config().checkpoint);
  env.erase("ECS_DATADIR");
  env["ECS_CHECKPOINT"] = "1";
  EXPECT_TRUE(config().checkpoint);
}

TEST_F(ConfigTest, BooleansAreGoBooleans) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    env["ECS_UPDATES_ENABLED"] = t;
    EXPECT_TRUE(config().updates_enabled) << t;
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    env["ECS_UPDATES_ENABLED"] = f;
    EXPECT_FALSE(config().updates_enabled) << f;
  }
  env["ECS_UPDATES_ENABLED"] = "yes";
  EXPECT_EQ(error(), "ECS_UPDATES_ENABLED=\"yes\": expected a boolean (true or false)");
}

TEST_F(ConfigTest, InvalidValuesNameTheVariableAndWhatIsExpected) {
  const std::pair<const char*, const char*> cases[] = {
      {"ECS_LOGLEVEL", "loud"},
      {"ECS_LOG_OUTPUT_FORMAT", "xml"},
      {"ECS_INTROSPECTION_ADDR", "no-port"},
      {"ECS_CREDENTIALS_ADDR", "127.0.0.1:99999"},
      {"DOCKER_HOST", "/var/run/docker.sock"},
      {"AWS_EC2_METADATA_DISABLED", "maybe"},
      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254"},
      {"ECS_CHECKPOINT", "sometimes"},
      {"ECS_DYNAMIC_HOST_PORT_RANGE", "40000"},
      {"ECS_DYNAMIC_HOST_PORT_RANGE", "50000-40000"},
  };
  for (const auto& [name, value] : cases) {
    env.clear();
    env[name] = value;
    const std::string message = error();
    EXPECT_TRUE(message.starts_with(std::string(name) + "=\"" + value + "\": expected ")) << message;
  }
}

TEST_F(ConfigTest, TheSameRulesApplyToTheFile) {
  files["/etc/ecs/ecs.config"] = "ECS_LOGLEVEL=loud\n";
  EXPECT_EQ(error(), "ECS_LOGLEVEL=\"loud\": expected one of debug, info, warn, error, crit, none");
}

TEST_F(ConfigTest, AddressesAndFormats) {
  env["ECS_INTROSPECTION_ADDR"] = "0.0.0.0:8080";
  env["ECS_CREDENTIALS_ADDR"] = "[::1]:51679";
  env["ECS_LOG_OUTPUT_FORMAT"] = "json";
  env["ECS_LOGFILE"] = "/log/ecs-agent.log";
  env["DOCKER_HOST"] = "tcp://127.0.0.1:2375";
  const AgentConfig c = config();
  EXPECT_EQ(c.introspection_addr.to_string(), "0.0.0.0:8080");
  EXPECT_EQ(c.credentials_addr.host, "::1");
  EXPECT_EQ(c.log_format, log::Format::json);
  EXPECT_EQ(c.log_file, "/log/ecs-agent.log");
  EXPECT_EQ(c.docker_host, "tcp://127.0.0.1:2375");
  EXPECT_EQ(c.dynamic_host_port_range, "");
  env["ECS_DYNAMIC_HOST_PORT_RANGE"] = "40000-40100";
  EXPECT_EQ(config().dynamic_host_port_range, "40000-40100");
}

// Credentials the operator meant to give are not silently dropped (the reference pulls
// anonymously); the error never quotes the data, which holds passwords.
TEST_F(ConfigTest, RegistryAuthDataThatCannotBeUsedStopsTheAgent) {
  env["ECS_ENGINE_AUTH_TYPE"] = "docker";
  env["ECS_ENGINE_AUTH_DATA"] = R"({"reg.tld":{"username":"u","password":"s3cret"}})";
  EXPECT_EQ(config().engine_auth_data, env["ECS_ENGINE_AUTH_DATA"]);
  // Parsed once, here: the engine takes this.
  const auto parsed = config().registry_auth.lookup("reg.tld/team/app:1");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->username, "u");
  EXPECT_FALSE(config().registry_auth.lookup("other.tld/app:1"));
  env["ECS_ENGINE_AUTH_DATA"] = R"({"reg.tld":{"username":"u","password":"s3cret"})";
  std::string message = error();
  EXPECT_TRUE(message.starts_with("ECS_ENGINE_AUTH_DATA: not JSON")) << message;
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  env.erase("ECS_ENGINE_AUTH_TYPE");
  env["ECS_ENGINE_AUTH_DATA"] = R"({"reg.tld":{"username":"u","password":"s3cret"}})";
  message = error();
  EXPECT_TRUE(message.starts_with("ECS_ENGINE_AUTH_TYPE: ")) << message;
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
}

TEST_F(ConfigTest, HalfOfAKeyPairIsAnError) {
  env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
  auto r = load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "AWS_SECRET_ACCESS_KEY: expected with AWS_ACCESS_KEY_ID (both or neither)");
}

// --help lists every variable the configuration reads.
TEST_F(ConfigTest, HelpListsEveryVariableRead) {
  std::set<std::string> listed;
  for (const auto& v : environment_variables()) listed.insert(std::string(v.name));
  std::set<std::string> asked;
  (void)load_config(
      [&](std::string_view n) -> std::optional<std::string> {
        asked.insert(std::string(n));
        return std::nullopt;
      },
      [](const std::string&) -> Result<std::optional<std::string>> { return std::optional<std::string>(); });
  for (const auto& name : asked) EXPECT_TRUE(listed.count(name)) << name << " is read but not in --help";
  EXPECT_GE(asked.size(), 18u);
}

// The parts that read their own variables read them through the merged view, and only listed ones.
TEST_F(ConfigTest, EveryVariableTheSubsystemsReadIsListed) {
  std::set<std::string> listed;
  for (const auto& v : environment_variables()) listed.insert(std::string(v.name));
  std::set<std::string> asked;
  EnvLookup recording = [&](std::string_view n) -> std::optional<std::string> {
    asked.insert(std::string(n));
    return std::nullopt;
  };
  (void)tls::TrustStoreOptions::from_environment(recording);
  (void)aws::ProxyConfig::from_environment(recording);
  (void)aws::ImdsOptions::from_environment(recording);
  (void)healthcheck_target_from_environment(recording);
  aws::EnvironmentCredentialsProvider provider(recording);
  asio::io_context io;
  asio::co_spawn(io, provider.retrieve(), asio::detached);
  io.run();
  for (const auto& name : asked) {
    const bool proxy_spelling = name == "https_proxy" || name == "http_proxy" || name == "no_proxy";
    EXPECT_TRUE(listed.count(name) || proxy_spelling) << name << " is read but not listed";
  }
  EXPECT_GE(asked.size(), 12u);
}

// The README's table is the list (regenerate it from environment_variables_markdown()).
TEST(EnvironmentVariables, TheReadmeTableIsTheList) {
  std::ifstream in(ECS_README);
  ASSERT_TRUE(in) << ECS_README;
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string table = environment_variables_markdown();
  EXPECT_NE(readme.str().find(table), std::string::npos)
      << "README.md's table of environment variables differs from the list in "
         "src/app/environment_variables.cpp; it should read:\n"
      << table;
}

TEST(EnvironmentVariables, CheckConfigShowsEveryVariableAndNoSecret) {
  auto loaded = load_config(
      map_environment({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                       {"AWS_SECRET_ACCESS_KEY", "very-secret"},
                       {"AWS_SESSION_TOKEN", "token-secret"},
                       {"HTTPS_PROXY", "http://proxy:3128"}}),
      [](const std::string&) -> Result<std::optional<std::string>> { return std::optional<std::string>(); });
  ASSERT_TRUE(loaded) << loaded.error().message;
  for (const auto& v : environment_variables()) {
    const std::string shown = value_in_effect(loaded->config, v.name);
    EXPECT_EQ(shown.find("secret"), std::string::npos) << v.name << "=" << shown;
  }
  EXPECT_EQ(value_in_effect(loaded->config, "AWS_SECRET_ACCESS_KEY"), "(set)");
  EXPECT_EQ(value_in_effect(loaded->config, "HTTPS_PROXY"), "http://proxy:3128");
  EXPECT_EQ(value_in_effect(loaded->config, "ECS_CLUSTER"), "default");
  EXPECT_EQ(value_in_effect(loaded->config, "AWS_EC2_METADATA_SERVICE_ENDPOINT"),
            "(default: http://169.254.169.254)");
}

}  // namespace
}  // namespace ecs::app

namespace ecs::app {
namespace {

// exec-manager.md §2.3 "Capability": bin, config and certs present, and a version directory with
// all three binaries; otherwise no ecs.capability.execute-command.
TEST(HostAttributes, ExecuteCommandCapabilityOnlyWithItsDependencies) {
  test::TempDir dir;
  auto has_exec = [&] {
    for (const auto& [name, value] : host_attributes(dir.path())) {
      if (name == "ecs.capability.execute-command") return true;
    }
    return false;
  };
  EXPECT_FALSE(has_exec());
  std::filesystem::create_directories(dir.file("bin/3.3.40.0"));
  std::filesystem::create_directories(dir.file("config"));
  std::filesystem::create_directories(dir.file("certs"));
  std::ofstream(dir.file("certs/tls-ca-bundle.pem")) << "x";
  for (const char* b : {"amazon-ssm-agent", "ssm-agent-worker"})
    std::ofstream(dir.file("bin/3.3.40.0/") + b) << "x";
  EXPECT_FALSE(has_exec());  // a binary is missing
  std::ofstream(dir.file("bin/3.3.40.0/ssm-session-worker")) << "x";
  EXPECT_TRUE(has_exec());
  const auto attributes = host_attributes(dir.path());
  EXPECT_EQ(attributes.front(), (std::pair<std::string, std::string>{"ecs.os-type", "linux"}));
  const auto resources = host_resources();
  ASSERT_EQ(resources.size(), 4u);
  EXPECT_EQ(resources[0].name, "CPU");
  EXPECT_GE(resources[0].integer_value, 1024);
  EXPECT_EQ(resources[1].name, "MEMORY");
  EXPECT_GT(resources[1].integer_value, 0);
  EXPECT_EQ(resources[2].string_set_value,
            (std::vector<std::string>{"22", "2375", "2376", "51678", "51679"}));
}

}  // namespace
}  // namespace ecs::app
