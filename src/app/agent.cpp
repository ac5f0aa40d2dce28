#include "app/agent.h"

#include <filesystem>
#include <ostream>

#include "acs/ecs_discovery.h"
#include "acs/responders/responder_set.h"
#include "acs/session.h"
#include "acs/websocket_connection.h"
#include "app/build_info.h"
#include "app/health_doctor.h"
#include "app/registration.h"
#include "aws/imds_client.h"
#include "aws/sigv4.h"
#include "core/log.h"
#include "core/uuid.h"
#include "core/worker_pool.h"
#include "credentials/store.h"
#include "dockerapi/client.h"
#include "engine/container_metadata.h"
#include "engine/docker_task_engine.h"
#include "engine/task_recorder.h"
#include "events/task_handler.h"
#include "execcmd/manager.h"
#include "execcmd/monitor.h"
#include "handlers/agent_handlers.h"
#include "handlers/attachments.h"
#include "platform/host_info.h"
#include "platform/service.h"
#include "server/credentials_endpoint.h"
#include "server/introspection.h"
#include "state/instance_store.h"
#include "state/legacy_checkpoint.h"
#include "state/lmdb_repository.h"
#include "tls/context.h"
#include "tls/trust_store.h"
#include "wsclient/connection.h"
#include "wsclient/dial.h"

namespace ecs::app {

namespace {

using namespace std::chrono_literals;

std::string agent_version_string() {
  const BuildInfo& b = build_info();
  return "Amazon ECS Agent - v" + b.version + " (" + b.commit + ")";
}

Result<void> configure_logging(const AgentConfig& config) {
  log::Config lc;
  lc.level = config.log_level;
  lc.sinks.push_back(log::make_stream_sink(config.log_format));
  if (!config.log_file.empty()) {
    std::string error;
    auto file = log::make_file_sink(config.log_file, config.log_format, &error);
    if (!file) {
      return make_error(ConfigErrc::invalid_value,
                        "ECS_LOGFILE=\"" + config.log_file + "\": cannot open it for appending: " + error);
    }
    lc.sinks.push_back(file);
  }
  log::configure(lc);
  return {};
}

// The whole running agent; members in dependency order.
class Agent {
 public:
  Agent(const AgentConfig& config, asio::io_context& io) : config_(config), io_(io) {}

  // Start-up up to registration; a non-zero result is the exit code.
  asio::awaitable<int> run(StopToken stop);
  void stop_servers() {
    if (introspection_server_) introspection_server_->stop();
    if (credentials_server_) credentials_server_->stop();
    if (task_handler_) task_handler_->stop();
  }

 private:
  int fail(int code, const std::string& message) {
    log::critical(message, {});
    error_message_ = message;
    return code;
  }
  Result<state::SavedState> open_state();
  asio::awaitable<Result<std::string>> resolve_region();
  asio::awaitable<int> register_instance();
  asio::awaitable<void> describe_instance_for_metadata();
  asio::awaitable<void> watch_docker(StopToken stop);
  asio::awaitable<void> expire_attachments(StopToken stop);

 public:
  std::string error_message_;

 private:
  const AgentConfig& config_;
  asio::io_context& io_;
  SteadyClock clock_;
  RandomJitter jitter_;
  WorkerPool pool_{1};
  acs::NoMetrics metrics_;
  HealthDoctor doctor_;
  credentials::InMemoryCredentialsStore credentials_;
  std::unique_ptr<state::Repository> repository_;
  std::unique_ptr<state::InstanceStore> instance_;
  std::unique_ptr<dockerapi::EngineClient> docker_;
  engine::DockerTaskEngine* docker_engine_ = nullptr;  // engine_, when Docker's endpoint is usable
  std::unique_ptr<engine::TaskEngine> engine_;
  // ECS Exec, when Docker is usable and the SSM agent's files are on the host.
  execcmd::Paths exec_paths_ = exec_paths_for_this_process();
  execcmd::RealFileSystem exec_fs_;
  std::unique_ptr<execcmd::Manager> exec_manager_;
  std::unique_ptr<execcmd::Monitor> exec_monitor_;
  // The container metadata file (ECS_ENABLE_CONTAINER_METADATA), written through exec_fs_.
  std::unique_ptr<engine::ContainerMetadataFiles> metadata_files_;
  std::unique_ptr<events::EcsSubmitter> submitter_;
  std::unique_ptr<events::TaskHandler> task_handler_;
  std::unique_ptr<handlers::AttachmentRegistry> attachments_;
  std::shared_ptr<const tls::TrustStore> trust_;
  std::unique_ptr<aws::HttpClient> http_;
  std::unique_ptr<aws::ImdsClient> imds_;
  std::shared_ptr<aws::CredentialsProvider> agent_credentials_;
  std::string region_;
  std::unique_ptr<aws::EcsClient> ecs_;
  std::string docker_version_;
  std::unique_ptr<server::IntrospectionEndpoint> introspection_;
  std::unique_ptr<server::CredentialsEndpoint> credentials_endpoint_;
  std::shared_ptr<server::HttpServer> introspection_server_;
  std::shared_ptr<server::HttpServer> credentials_server_;
};

asio::awaitable<Result<std::string>> Agent::resolve_region() {
  if (!config_.region.empty()) co_return config_.region;
  if (config_.imds_disabled) {
    co_return make_error(
        ConfigErrc::invalid_value,
        "no region: set AWS_REGION or AWS_DEFAULT_REGION (the instance metadata service is disabled)");
  }
  auto region = co_await imds_->get("/latest/meta-data/placement/region");
  if (!region || region->empty()) {
    co_return make_error(
        ConfigErrc::invalid_value,
        "no region: set AWS_REGION or AWS_DEFAULT_REGION (the instance metadata service did not "
        "answer: " +
            (region ? std::string("empty region") : region.error().message) + ")");
  }
  co_return *region;
}

// What the container metadata files say about this instance: the registration, and the zone and
// addresses from instance metadata when it answers (each left out when it does not).
asio::awaitable<void> Agent::describe_instance_for_metadata() {
  engine::MetadataInstance instance;
  instance.cluster = config_.cluster;
  instance.container_instance_arn = instance_->record().container_instance_arn;
  docker_engine_->set_metadata_instance(instance);
  if (config_.imds_disabled) co_return;
  auto zone = co_await imds_->get("/latest/meta-data/placement/availability-zone");
  auto private_ip = co_await imds_->get("/latest/meta-data/local-ipv4");
  auto public_ip = co_await imds_->get("/latest/meta-data/public-ipv4");
  if (zone) instance.availability_zone = *zone;
  if (private_ip) instance.host_private_ipv4 = *private_ip;
  if (public_ip) instance.host_public_ipv4 = *public_ip;
  docker_engine_->set_metadata_instance(std::move(instance));
}

asio::awaitable<void> Agent::watch_docker(StopToken stop) {
  // (No co_await in a loop condition: GCC 12 miscompiles it, see the README's toolchain notes.)
  for (;;) {
    auto v = co_await docker_->version(5s, stop);
    if (v) {
      if (!doctor_.docker_ok) log::info("Docker is reachable again", {{"DOCKER_HOST", config_.docker_host}});
      doctor_.docker_ok = true;
    } else if (!stop.stopped()) {
      if (doctor_.docker_ok) {
        log::warn("Docker is not reachable",
                  {{"DOCKER_HOST", config_.docker_host}, {"error", v.error().message}});
      }
      doctor_.docker_ok = false;
    }
    const bool waited = co_await clock_.sleep(30s, stop);
    if (!waited) break;
  }
}

asio::awaitable<void> Agent::expire_attachments(StopToken stop) {
  for (;;) {
    const bool waited = co_await clock_.sleep(1min, stop);
    if (!waited) break;
    (void)attachments_->expire();
  }
}

asio::awaitable<int> Agent::register_instance() {
  const platform::HostInfo host = platform::host_info();
  aws::RegisterRequest request;
  request.cluster = config_.cluster;
  request.container_instance_arn = instance_->record().container_instance_arn;  // re-registration
  request.total_resources = host_resources(host);
  request.version_info = {build_info().version, build_info().commit,
                          docker_version_.empty() ? "" : "DockerVersion: " + docker_version_};
  request.attributes = host_attributes(host, exec_monitor_ ? exec_paths_.agent_deps_dir : "");
  auto outcome = co_await register_container_instance(*ecs_, std::move(request));
  if (!outcome.error.empty()) co_return fail(outcome.terminal ? kExitTerminal : kExitError, outcome.error);
  auto saved = instance_->set_registration(config_.cluster, outcome.container_instance_arn);
  if (!saved) co_return fail(kExitError, "could not save the registration: " + saved.error().message);
  log::info("registered container instance",
            {{"cluster", config_.cluster}, {"containerInstanceArn", outcome.container_instance_arn}});
  co_return kExitSuccess;
}

// The durable store (ECS_DATADIR, when checkpointing is on), with a state written by an agent
// before the LMDB store imported once.
Result<state::SavedState> Agent::open_state() {
  if (!config_.checkpoint) {
    repository_ = std::make_unique<state::NoRepository>();
    return state::SavedState{};
  }
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  if (ec) {
    return make_error(state::StateErrc::io,
                      "ECS_DATADIR=\"" + config_.data_dir + "\": cannot create it: " + ec.message());
  }
  auto opened = state::LmdbRepository::open(config_.data_dir);
  if (!opened) return opened.error();
  state::LmdbRepository& store = **opened;
  repository_ = std::move(*opened);
  auto empty = store.empty();
  if (!empty) return empty.error();
  if (*empty) {
    auto imported = state::legacy::import_legacy_state(config_.data_dir, store);
    if (!imported) return imported.error();
    if (*imported) log::info("imported the state of an earlier agent", {{"dir", config_.data_dir}});
  }
  return store.load();
}

asio::awaitable<int> Agent::run(StopToken stop) {
  // Durable state.
  auto saved = open_state();
  if (!saved) co_return fail(kExitError, "cannot load the saved state: " + saved.error().message);
  if (!saved->instance.cluster.empty() && saved->instance.cluster != config_.cluster) {
    co_return fail(kExitTerminal, "the saved state in " + config_.data_dir + " belongs to cluster \"" +
                                      saved->instance.cluster + "\" but ECS_CLUSTER is \"" + config_.cluster +
                                      "\"; remove the state files (agent.db*) to register afresh");
  }
  instance_ = std::make_unique<state::InstanceStore>(saved->instance, *repository_);
  // The task engine runs tasks on Docker; without a usable Docker endpoint the agent still
  // registers and answers ACS, and records the tasks it is sent.
  if (auto docker = dockerapi::EngineClient::from_docker_host(config_.docker_host)) {
    docker_ = std::move(*docker);
    engine::DockerTaskEngineOptions options;
    options.cluster = config_.cluster;
    options.pull_behavior = *engine::parse_pull_behavior(config_.image_pull_behavior);
    options.registry_auth = config_.registry_auth;  // parsed (and checked) with the configuration
    if (auto range = engine::parse_port_range(config_.dynamic_host_port_range)) {
      options.dynamic_host_ports = *range;
    } else {  // not set (a bad value stopped the agent when the configuration was read)
      options.dynamic_host_ports = engine::default_dynamic_port_range(platform::ephemeral_port_range_text());
    }
    options.stop_timeout = config_.container_stop_timeout;
    options.cleanup_wait = config_.task_cleanup_wait;
    options.shared_volume_match_full_config = config_.shared_volume_match_full_config;
    auto engine =
        std::make_unique<engine::DockerTaskEngine>(io_.get_executor(), *docker_, *repository_, credentials_,
                                                   clock_, jitter_, options, std::move(saved->tasks));
    docker_engine_ = engine.get();
    engine_ = std::move(engine);
    if (config_.container_metadata) {
      metadata_files_ = std::make_unique<engine::ContainerMetadataFiles>(
          engine::ContainerMetadataOptions{true, config_.data_dir, config_.host_data_dir}, exec_fs_,
          [] { return random_uuid(); });
      docker_engine_->set_container_metadata(*metadata_files_);
      log::info("container metadata files enabled", {{"dir", config_.data_dir + "/metadata"}});
    }
    if (exec_dependencies_present(exec_paths_.agent_deps_dir)) {
      execcmd::ManagerOptions exec_options;
      exec_options.paths = exec_paths_;
      exec_manager_ = std::make_unique<execcmd::Manager>(exec_options, exec_fs_, clock_, jitter_,
                                                         &docker_engine_->exec_store());
      exec_monitor_ =
          std::make_unique<execcmd::Monitor>(*exec_manager_, *docker_, docker_engine_->exec_tasks(),
                                             docker_engine_->exec_reporter(), clock_, jitter_);
      docker_engine_->set_exec(*exec_manager_, *exec_monitor_);
      log::info("ECS Exec enabled", {{"deps", exec_paths_.agent_deps_dir}});
    } else {
      log::info("ECS Exec disabled: the SSM agent's files are not on this host",
                {{"deps", exec_paths_.agent_deps_dir}});
    }
  } else {
    doctor_.docker_ok = false;
    log::warn("Docker endpoint unusable: tasks are recorded, not run", {{"error", docker.error().message}});
    engine_ = std::make_unique<engine::TaskRecorder>(std::move(saved->tasks), *repository_, credentials_);
  }
  attachments_ =
      std::make_unique<handlers::AttachmentRegistry>(std::move(saved->attachments), *repository_, clock_);
  doctor_.state_writable = [this] { return repository_->last_write_ok(); };

  // Transport.
  auto trust = tls::TrustStore::load(tls::TrustStoreOptions::from_environment(config_.env));
  if (!trust) co_return fail(kExitError, trust.error().message);
  trust_ = *trust;
  log::info("trusted CAs", {{"embedded", std::to_string(trust_->embedded_count())},
                            {"AWS_CA_BUNDLE", trust_->extra_bundle_path().value_or("(not set)")},
                            {"fromBundle", std::to_string(trust_->extra_count())}});
  auto proxy = aws::ProxyConfig::from_environment(config_.env);
  if (!proxy) co_return fail(kExitError, proxy.error().message);
  aws::HttpClientOptions http_options;
  http_options.trust = trust_;
  http_options.proxy = *proxy;
  http_ = std::make_unique<aws::HttpClient>(http_options);
  auto imds_options = aws::ImdsOptions::from_environment(config_.env);
  if (!imds_options) co_return fail(kExitError, imds_options.error().message);
  imds_ = std::make_unique<aws::ImdsClient>(*http_, pool_, *imds_options, clock_, jitter_);

  // Endpoints first, so that --healthcheck answers while the agent registers.
  introspection_ = std::make_unique<server::IntrospectionEndpoint>(
      *engine_, *instance_, agent_version_string(), "Licensed under the Apache License, Version 2.0.\n");
  auto introspection_handler = [this](server::Request& r, const server::Peer& p) {
    return introspection_->handle(r, p);
  };
  auto is = server::HttpServer::start(io_.get_executor(), config_.introspection_addr, introspection_handler);
  if (!is) {
    co_return fail(kExitError, "ECS_INTROSPECTION_ADDR=" + config_.introspection_addr.to_string() +
                                   ": cannot listen: " + is.error().message);
  }
  introspection_server_ = *is;
  credentials_endpoint_ = std::make_unique<server::CredentialsEndpoint>(
      credentials_, [this](const std::string& id) { return engine::knows_credentials_id(*engine_, id); },
      clock_);
  auto credentials_handler = [this](server::Request& r, const server::Peer& p) {
    return credentials_endpoint_->handle(r, p);
  };
  auto cs = server::HttpServer::start(io_.get_executor(), config_.credentials_addr, credentials_handler);
  if (!cs) {
    co_return fail(kExitError, "ECS_CREDENTIALS_ADDR=" + config_.credentials_addr.to_string() +
                                   ": cannot listen: " + cs.error().message);
  }
  credentials_server_ = *cs;
  log::info("endpoints listening", {{"introspection", config_.introspection_addr.to_string()},
                                    {"credentials", config_.credentials_addr.to_string()}});

  // Region, credentials, ECS API.
  auto region = co_await resolve_region();
  if (!region) co_return fail(kExitTerminal, region.error().message);
  region_ = *region;
  std::vector<std::shared_ptr<aws::CredentialsProvider>> chain{
      std::make_shared<aws::EnvironmentCredentialsProvider>(config_.env)};
  if (!config_.shared_credentials_file.empty()) {
    chain.push_back(std::make_shared<aws::SharedFileCredentialsProvider>(config_.shared_credentials_file,
                                                                         config_.profile, clock_));
  }
  if (!config_.imds_disabled) chain.push_back(std::make_shared<aws::ImdsCredentialsProvider>(*imds_));
  agent_credentials_ = std::make_shared<aws::CachingCredentialsProvider>(
      std::make_shared<aws::ChainCredentialsProvider>(std::move(chain)), clock_);
  auto endpoint = aws::EcsClientOptions::resolve_endpoint(region_, config_.backend_host);
  if (!endpoint) co_return fail(kExitTerminal, endpoint.error().message);
  aws::EcsClientOptions ecs_options;
  ecs_options.region = region_;
  ecs_options.endpoint = *endpoint;
  ecs_ = std::make_unique<aws::EcsClient>(*http_, pool_, agent_credentials_, ecs_options, clock_, jitter_);

  // Docker (optional for the session: its version goes into the registration). State changes
  // go to ECS through one sender per task; the engine waits for Docker before running tasks.
  if (docker_) {
    auto v = co_await docker_->version(5s, stop);
    if (v) docker_version_ = v->version;
    asio::co_spawn(io_, watch_docker(stop), asio::detached);
  }
  if (docker_engine_ != nullptr) {
    docker_engine_->set_region(region_);
    submitter_ = std::make_unique<events::EcsSubmitter>(*ecs_, config_.cluster);
    task_handler_ = std::make_unique<events::TaskHandler>(io_.get_executor(), *submitter_, *docker_engine_,
                                                          clock_, jitter_);
    docker_engine_->set_sink(*task_handler_);
    asio::co_spawn(io_, task_handler_->run_drain_ticker(stop), asio::detached);
    asio::co_spawn(io_, docker_engine_->run(stop), asio::detached);
    if (exec_monitor_) asio::co_spawn(io_, exec_monitor_->run(stop), asio::detached);
  }

  const int registered = co_await register_instance();
  if (registered != kExitSuccess) co_return registered;
  if (metadata_files_) asio::co_spawn(io_, describe_instance_for_metadata(), asio::detached);
  asio::co_spawn(io_, expire_attachments(stop), asio::detached);

  // The ACS session, until stopped.
  acs::SessionOptions session_options;
  session_options.cluster = config_.cluster;
  session_options.container_instance_arn = instance_->record().container_instance_arn;
  session_options.agent_version = build_info().version;
  session_options.agent_hash = build_info().commit;
  session_options.docker_version = docker_version_;
  acs::EcsEndpointDiscovery discovery(*ecs_);
  wsclient::DialOptions dial;
  auto tls_client = tls::Context::client(trust_);
  if (!tls_client) co_return fail(kExitError, tls_client.error().message);
  dial.tls = *tls_client;
  dial.proxy = *proxy;
  dial.sign = [this](const Url& url) -> asio::awaitable<Result<aws::Headers>> {
    auto creds = co_await agent_credentials_->retrieve();
    if (!creds) co_return creds.error();
    co_return aws::sign_upgrade_request(url, *creds, region_, "ecs", std::chrono::system_clock::now())
        .headers;
  };
  acs::WebsocketConnectionFactory factory(io_.get_executor(), dial, wsclient::ConnectionOptions{}, jitter_,
                                          metrics_);
  handlers::AgentHandlers handlers(*engine_, credentials_, *instance_, *repository_, *attachments_);
  const acs::Collaborators collaborators = handlers.collaborators(doctor_, metrics_);
  acs::UpdateOptions updates;
  updates.enabled = config_.updates_enabled;
  acs::ResponderSet responders(collaborators, docker_version_, updates, nullptr, nullptr);
  acs::Session session(
      session_options, discovery, factory,
      [&responders](const std::shared_ptr<acs::Connection>& client) { responders.register_all(client); },
      clock_, jitter_, [] { log::warn("the container instance is inactive (deregistered?)", {}); }, metrics_);
  doctor_.acs_connected_recently = [&session, this] {
    const auto connected = session.last_connected();
    const auto disconnected = session.last_disconnected();
    if (connected && (!disconnected || *connected > *disconnected)) return true;  // connected now
    return disconnected && clock_.now() - *disconnected < 5min;
  };
  (void)co_await session.start(stop);
  doctor_.acs_connected_recently = nullptr;  // the session is going away
  co_return kExitSuccess;
}

}  // namespace

int run_agent(const AgentConfig& config, std::ostream& err) {
  if (auto logging = configure_logging(config); !logging) {
    err << "ecs-agent: " << logging.error().message << "\n";
    return kExitTerminal;
  }
  log::info("starting", {{"version", agent_version_string()},
                         {"cluster", config.cluster},
                         {"configFile", config.config_file.empty() ? "(none)" : config.config_file}});
  for (const auto& name : config.overridden_in_file) {
    log::warn("the environment overrides the config file's value",
              {{"variable", name}, {"configFile", config.config_file}});
  }
  asio::io_context io;
  StopSource stop;
  Agent agent(config, io);
  // Whatever has not ended 5 s after a stop request is abandoned: the state is committed on
  // every change.
  const platform::ServiceResult result = platform::run_until_stopped(
      io, stop,
      [&agent, &stop]() -> asio::awaitable<int> {
        const int code = co_await agent.run(stop);
        agent.stop_servers();  // the listeners would keep the io context running
        co_return code;
      },
      [&agent](std::string_view what) {
        log::info("stopping", {{"signal", std::string(what)}});
        agent.stop_servers();
      },
      5s);
  agent.stop_servers();
  if (result.threw) log::critical("the agent stopped on an unexpected exception", {});
  if (result.abandoned) log::error("some work did not stop within 5 s; exiting anyway", {});
  const int exit_code = result.exit_code;
  const bool stopping = result.stop_requested;
  if (exit_code != kExitSuccess && !agent.error_message_.empty())
    err << "ecs-agent: " << agent.error_message_ << "\n";
  // Every change was committed when it was made: nothing is left to flush.
  if (stopping && exit_code == kExitSuccess) log::info("stopped", {});
  return exit_code;
}

}  // namespace ecs::app
