#include "app/build_info.h"

#include <curl/curl.h>
#include <mbedtls/version.h>
#include <simdjson.h>
#include <zstd.h>
#include <boost/version.hpp>

#include "generated/git_info.h"

#ifndef ECS_VERSION
#error "ECS_VERSION must be defined by the build"
#endif
#ifndef ECS_BUILD_KIND
#error "ECS_BUILD_KIND must be defined by the build"
#endif

namespace ecs::app {
namespace {

std::string compiler_name() {
#if defined(__clang__)
  return std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("GCC ") + __VERSION__;
#elif defined(_MSC_VER)
  return "MSVC " + std::to_string(_MSC_FULL_VER);
#else
  return "unknown compiler";
#endif
}

std::string boost_version() {
  return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
         std::to_string(BOOST_VERSION % 100);
}

std::string mbedtls_version() {
  char buf[32] = {};
  mbedtls_version_get_string(buf);  // the library actually linked, not the header's
  return buf;
}

std::string curl_version() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  std::string v = info->version;
  if (info->ssl_version != nullptr) v += std::string(" (") + info->ssl_version + ")";
  return v;
}

BuildInfo make_build_info() {
  BuildInfo info;
  info.version = ECS_VERSION;
  info.commit = ECS_GIT_COMMIT;
  info.dirty = ECS_GIT_DIRTY;
  info.build_kind = ECS_BUILD_KIND;
  info.compiler = compiler_name();
  info.dependencies = {
      {"Boost (Asio, Beast)", boost_version()},
      {"mbedTLS", mbedtls_version()},
      {"libcurl", curl_version()},
      {"simdjson", std::to_string(simdjson::SIMDJSON_VERSION_MAJOR) + "." +
                       std::to_string(simdjson::SIMDJSON_VERSION_MINOR) + "." +
                       std::to_string(simdjson::SIMDJSON_VERSION_REVISION)},
      {"zstd", ZSTD_versionString()},
  };
  return info;
}

}  // namespace

const BuildInfo& build_info() {
  static const BuildInfo info = make_build_info();
  return info;
}

std::string version_text() {
  const BuildInfo& info = build_info();
  std::string text = "Amazon ECS container agent core (ecs-agent):\n";
  text += "\tVersion: " + info.version + "\n";
  text += "\tCommit: " + info.commit + "\n";
  if (info.dirty) text += "\tDirty: true\n";
  text += "\tBuild: " + info.build_kind + "\n";
  text += "\tCompiler: " + info.compiler + "\n";
  text += "\tDependencies:\n";
  for (const auto& [name, version] : info.dependencies) {
    text.append("\t\t").append(name).append(" ").append(version).append("\n");
  }
  return text;
}

}  // namespace ecs::app
