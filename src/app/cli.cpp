#include "app/cli.h"

#include <iomanip>
#include <ostream>
#include <sstream>

#include "app/build_info.h"
#include "app/environment_variables.h"
#include "app/healthcheck.h"
#include "tls/trust_store.h"

namespace ecs::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Word {
  std::string_view name;
  Command command;
  std::string_view help;
};

// Subcommands and their flag spellings (-name / --name).
constexpr Word kWords[] = {
    {"version", Command::version, "print version, commit, build type, compiler and libraries"},
    {"healthcheck", Command::healthcheck,
     "exit 0 if the introspection server answers, 1 otherwise (Docker HEALTHCHECK)"},
    {"ca-bundle", Command::ca_bundle, "show the CA certificates trusted for TLS"},
    {"help", Command::help, "print this text"},
};

int print_ca_bundle(std::ostream& out, std::ostream& err) {
  auto store = tls::TrustStore::load(tls::TrustStoreOptions::from_environment());
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

int healthcheck(std::ostream& err) {
  auto target = healthcheck_target_from_environment();
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
  if (args.empty()) {
    return UsageError{"a command is required"};
  }
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
  s << "Usage: ecs-agent <command>\n"
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
  s << "\nExit codes: 0 success, 1 failure, 2 usage error.\n";
  return s.str();
}

int run_command_line(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  auto parsed = parse_command_line(args);
  if (auto* usage = std::get_if<UsageError>(&parsed)) {
    err << "ecs-agent: " << usage->message << "\nRun 'ecs-agent --help' for usage.\n";
    return kExitUsage;
  }
  switch (std::get<Command>(parsed)) {
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
