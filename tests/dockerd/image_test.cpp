// The shipped FROM-scratch image, built exactly as `make image` builds it, run on the private
// Docker engine.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/dockerd.h"
#include "support/process.h"
#include "support/temp_dir.h"

#ifndef ECS_AGENT_BINARY
#error "ECS_AGENT_BINARY must name the built ecs-agent"
#endif
#ifndef ECS_BUILD_IMAGE_SCRIPT
#error "ECS_BUILD_IMAGE_SCRIPT must name docker/build-image.sh"
#endif

namespace ecs::test {
namespace {

class ScratchImage : public ::testing::Test {
 protected:
  ProcessResult docker(std::vector<std::string> args) {
    args.insert(args.begin(), "docker");
    return run_process(args, env_);
  }
  ProcessOptions env_;
};

TEST_F(ScratchImage, BuildsAndRunsVersion) {
  ECS_REQUIRE_DOCKERD(engine);
  env_.env = {{"DOCKER_HOST", engine->docker_host}};
  TempDir dir;
  const std::string tag = "ecs-agent:image-test";
  auto build = run_process({ECS_BUILD_IMAGE_SCRIPT, ECS_AGENT_BINARY, tag, dir.file("image.tar")}, env_);
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  EXPECT_TRUE(std::filesystem::exists(dir.file("image.tar")));

  auto run = docker({"run", "--rm", tag, "--version"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Version: "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Build: static"), std::string::npos) << run.out;

  // No shell, no CA files: the image holds the binary and nothing else it does not need.
  auto ls = docker({"run", "--rm", "--entrypoint", "/bin/sh", tag, "-c", "true"});
  EXPECT_NE(ls.exit_code, 0);
  auto config = docker(
      {"image", "inspect", "--format",
       "{{json .Config.Entrypoint}} {{json .Config.Healthcheck.Test}} {{json .Config.ExposedPorts}}", tag});
  ASSERT_EQ(config.exit_code, 0) << config.err;
  EXPECT_NE(config.out.find(R"(["/agent"])"), std::string::npos) << config.out;
  EXPECT_NE(config.out.find(R"(["CMD","/agent","--healthcheck"])"), std::string::npos) << config.out;
  EXPECT_NE(config.out.find("51678/tcp"), std::string::npos) << config.out;
  EXPECT_NE(config.out.find("51679/tcp"), std::string::npos) << config.out;
  auto size = docker({"image", "inspect", "--format", "{{.Size}}", tag});
  ASSERT_EQ(size.exit_code, 0);
  EXPECT_EQ(std::stoull(size.out), std::filesystem::file_size(ECS_AGENT_BINARY))
      << "image holds more than the binary";

  docker({"image", "rm", "-f", tag});
}

}  // namespace
}  // namespace ecs::test
