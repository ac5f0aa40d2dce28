#include "app/cli.h"

#include <iomanip>
#include <optional>
#include <ostream>
#include <sstream>

#include "app/agent.h"
#include "app/build_info.h"
#include "app/config.h"
#include "app/environment_variables.h"
#include "app/healthcheck.h"
#include "core/log.h"
#include "platform/environment.h"
#include "tls/trust_store.h"

namespace ecs::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitTerminal = 5;

struct Word {
  std::string_view name;
  Command command;
  std::string_view help;
};

// Subcommands and their flag spellings (-name / --name).
constexpr Word kWords[] = {
    {"run", Command::run, "run the agent (the default): register, keep the ACS session, serve the endpoints"},
    {"check-config", Command::check_config,
     "load the configuration, print the values in effect (no secrets) and exit: 0 valid, 5 not"},
    {"version", Command::version, "print version, commit, build type, compiler and libraries"},
    {"healthcheck", Command::healthcheck,
     "exit 0 if the introspection server answers, 1 otherwise (Docker HEALTHCHECK)"},
    {"ca-bundle", Command::ca_bundle, "show the CA certificates trusted for TLS"},
    {"help", Command::help, "print this text"},
};

// The configuration, or the error printed (exit code 5).
std::optional<AgentConfig> configuration(std::ostream& err) {
  auto loaded = load_config(platform::process_environment(), real_file_reader());
  if (!loaded) {
    err << "ecs-agent: " << loaded.error().message << "\n";
    return std::nullopt;
  }
  return loaded->config;
}

int print_ca_bundle(std::ostream& out, std::ostream& err) {
  // AWS_CA_BUNDLE may come from the config file; an unusable configuration still shows the
  // embedded bundle.
  auto loaded = load_config(platform::process_environment(), real_file_reader());
  const EnvLookup env = loaded ? loaded->config.env : platform::process_environment();
  auto store = tls::TrustStore::load(tls::TrustStoreOptions::from_environment(env));
  if (!store) {
    err << "ecs-agent: " << store.error().message << "\n";
    return kExitFailure;
  }
  out << "embedded bundle: " << (*store)->embedded_count() << " certificates";
  if ((*store)->embedded_skipped() != 0) {
    out << " (" << (*store)->embedded_skipped() << " not usable by mbedTLS, skipped)";
  }
  out << "\n";
  if ((*store)->extra_bundle_path()) {
    out << "AWS_CA_BUNDLE " << *(*store)->extra_bundle_path() << ": " << (*store)->extra_count()
        << " certificates\n";
  } else {
    out << "AWS_CA_BUNDLE: not set\n";
  }
  return kExitOk;
}

// Every listed variable with the value in effect (secrets only as "(set)").
int check_config(std::ostream& out, std::ostream& err) {
  auto c = configuration(err);
  if (!c) return kExitTerminal;
  out << "config file: " << (c->config_file.empty() ? "(none)" : c->config_file) << "\n";
  for (const EnvironmentVariable& v : environment_variables()) {
    out << v.name << "=" << value_in_effect(*c, v.name) << "\n";
  }
  for (const auto& name : c->overridden_in_file) {
    out << "note: " << name << " in " << c->config_file << " is not used: the environment sets it\n";
  }
  return kExitOk;
}

int run(std::ostream& err) {
  auto c = configuration(err);
  if (!c) return kExitTerminal;
  return run_agent(*c, err);
}

int healthcheck(std::ostream& err) {
  // ECS_INTROSPECTION_ADDR may come from the config file; an unusable configuration still
  // probes what the environment names.
  auto loaded = load_config(platform::process_environment(), real_file_reader());
  auto target =
      healthcheck_target_from_environment(loaded ? loaded->config.env : platform::process_environment());
  if (!target) {
    err << "ecs-agent: " << target.error().message << "\n";
    return kExitFailure;
  }
  if (auto probe = probe_introspection(*target); !probe) {
    err << "ecs-agent: " << probe.error().message << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

std::variant<Command, UsageError> parse_command_line(std::span<const std::string> args) {
  if (args.empty()) return Command::run;
  if (args.size() > 1) {
    return UsageError{"unexpected argument '" + args[1] + "' after '" + args[0] + "'"};
  }
  std::string_view arg = args[0];
  const bool is_flag = arg.starts_with('-');
  std::string_view name = arg;
  if (arg.starts_with("--")) {
    name.remove_prefix(2);
  } else if (is_flag) {
    name.remove_prefix(1);
  }
  if (is_flag && name == "h") return Command::help;
  for (const Word& w : kWords) {
    if (w.name == name) return w.command;
  }
  return UsageError{std::string(is_flag ? "unknown flag '" : "unknown command '") + std::string(arg) + "'"};
}

std::string usage_text() {
  std::ostringstream s;
  s << "Usage: ecs-agent [<command>]\n"
       "\n"
       "Amazon ECS container agent core: a static single binary that keeps the agent's session\n"
       "with the ECS control plane and runs ECS Exec in containers.\n"
       "\n"
       "Commands (each also accepted as a flag, -name or --name):\n";
  for (const Word& w : kWords) {
    s << "  " << std::left << std::setw(13) << w.name << w.help << "\n";
  }
  s << "\nEnvironment variables read:\n";
  for (const EnvironmentVariable& v : environment_variables()) {
    s << "  " << v.name << "\n      " << v.meaning;
    if (!v.default_value.empty()) s << " (default: " << v.default_value << ")";
    s << "\n";
  }
  s << "\nExit codes: 0 success, 1 failure (restart), 2 usage error, 5 terminal (do not restart:\n"
       "invalid configuration, or a saved state of another cluster).\n";
  return s.str();
}

int run_command_line(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  auto parsed = parse_command_line(args);
  if (auto* usage = std::get_if<UsageError>(&parsed)) {
    err << "ecs-agent: " << usage->message << "\nRun 'ecs-agent --help' for usage.\n";
    return kExitUsage;
  }
  switch (std::get<Command>(parsed)) {
    case Command::run:
      return run(err);
    case Command::check_config:
      return check_config(out, err);
    case Command::help:
      out << usage_text();
      return kExitOk;
    case Command::version:
      out << version_text();
      return kExitOk;
    case Command::healthcheck:
      return healthcheck(err);
    case Command::ca_bundle:
      return print_ca_bundle(out, err);
  }
  return kExitFailure;
}

}  // namespace ecs::app
