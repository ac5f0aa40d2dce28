#include "app/cli.h"

#include <gtest/gtest.h>

#include <sstream>

#include "app/build_info.h"
#include "app/environment_variables.h"

namespace ecs::app {
namespace {

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = run_command_line(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(CommandLine, VersionFlagInGoAndGnuSpellingsAndAsSubcommand) {
  for (const char* spelling : {"--version", "-version", "version"}) {
    auto r = run({spelling});
    EXPECT_EQ(r.code, 0) << spelling;
    EXPECT_EQ(r.out, version_text()) << spelling;
    EXPECT_TRUE(r.err.empty());
  }
}

TEST(CommandLine, VersionTextNamesEverythingTheBuildIsMadeOf) {
  const std::string text = version_text();
  const BuildInfo& info = build_info();
  EXPECT_NE(text.find("Version: " + info.version), std::string::npos);
  EXPECT_FALSE(info.version.empty());
  EXPECT_NE(text.find("Commit: " + info.commit), std::string::npos);
  EXPECT_NE(text.find("Build: " + info.build_kind), std::string::npos);
  EXPECT_NE(text.find("Compiler: "), std::string::npos);
  for (const char* dep : {"Boost", "mbedTLS 2.28", "libcurl 7.88.1", "simdjson 3.0.1", "zstd 1.5"}) {
    EXPECT_NE(text.find(dep), std::string::npos) << dep << " missing from:\n" << text;
  }
  // libcurl must report mbedTLS as its TLS backend.
  EXPECT_NE(text.find("mbedTLS/2.28"), std::string::npos) << text;
}

TEST(CommandLine, HelpListsCommandsAndEveryEnvironmentVariable) {
  for (const char* spelling : {"--help", "-help", "-h", "help"}) {
    auto r = run({spelling});
    EXPECT_EQ(r.code, 0) << spelling;
    EXPECT_EQ(r.out, usage_text());
  }
  const std::string text = usage_text();
  for (const char* cmd : {"version", "healthcheck", "ca-bundle", "help"}) {
    EXPECT_NE(text.find(cmd), std::string::npos) << cmd;
  }
  ASSERT_FALSE(environment_variables().empty());
  for (const auto& v : environment_variables()) {
    EXPECT_NE(text.find(v.name), std::string::npos) << v.name;
  }
}

TEST(CommandLine, UnknownFlagIsAClearUsageErrorWithExitCode2) {
  auto r = run({"--frobnicate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown flag '--frobnicate'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--help"), std::string::npos);
  EXPECT_TRUE(r.out.empty());
}

TEST(CommandLine, UnknownCommandAndExtraArgumentsAreUsageErrors) {
  auto unknown = run({"frobnicate"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos);
  auto extra = run({"--version", "--help"});
  EXPECT_EQ(extra.code, 2);
  EXPECT_NE(extra.err.find("unexpected argument '--help'"), std::string::npos);
}

// No arguments runs the agent, as the reference does (the image's ENTRYPOINT has none).
TEST(CommandLine, NoArgumentsMeansRun) {
  const std::vector<std::string> none;
  auto parsed = parse_command_line(none);
  ASSERT_TRUE(std::holds_alternative<Command>(parsed));
  EXPECT_EQ(std::get<Command>(parsed), Command::run);
  const std::vector<std::string> check{"--check-config"};
  EXPECT_EQ(std::get<Command>(parse_command_line(check)), Command::check_config);
}

}  // namespace
}  // namespace ecs::app
