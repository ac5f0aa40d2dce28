// The Docker Engine API client against a fake daemon on a unix socket: version negotiation, the
// exact exec requests of exec-manager.md §6, error texts and types, chunked and content-length
// bodies, and hostile daemons (stalls, garbage, huge bodies, closed connections).
#include "dockerapi/client.h"

#include <gtest/gtest.h>

#include "support/fake_docker_daemon.h"
#include "support/run.h"

namespace ecs::dockerapi {
namespace {

using namespace std::chrono_literals;
using test::FakeDockerDaemon;
using Reply = FakeDockerDaemon::Reply;
using Request = FakeDockerDaemon::Request;

std::unique_ptr<EngineClient> client_for(const FakeDockerDaemon& daemon, EngineClientOptions o = {}) {
  auto c = EngineClient::from_docker_host(daemon.docker_host(), o);
  EXPECT_TRUE(c);
  return std::move(*c);
}

Reply json(unsigned status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(DockerEndpoint, ParsesDockerHost) {
  auto def = parse_endpoint("");
  ASSERT_TRUE(def);
  EXPECT_EQ(def->kind, Endpoint::Kind::unix_socket);
  EXPECT_EQ(def->path, "/var/run/docker.sock");
  auto tcp = parse_endpoint("tcp://127.0.0.1:2375");
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->kind, Endpoint::Kind::tcp);
  EXPECT_EQ(tcp->port, 2375);
  for (const char* bad :
       {"unix://relative.sock", "http://x", "npipe:////./pipe/docker_engine", "tcp://nohost"}) {
    auto r = parse_endpoint(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, DockerErrc::bad_endpoint);
    EXPECT_NE(r.error().message.find(std::string("DOCKER_HOST=") + bad), std::string::npos)
        << r.error().message;
  }
}

TEST(DockerEndpoint, GoDurations) {
  EXPECT_EQ(go_duration(1min), "1m0s");
  EXPECT_EQ(go_duration(2min), "2m0s");
  EXPECT_EQ(go_duration(30s), "30s");
  EXPECT_EQ(go_duration(1500ms), "1.5s");
  EXPECT_EQ(go_duration(250ms), "250ms");
  EXPECT_EQ(go_duration(90min), "1h30m0s");
}

TEST(DockerClient, NegotiatesTheReferenceFloorOnce) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply("1.41", "1.12");
    return json(200, R"({"ID":"e","Running":true,"ExitCode":null,"Pid":42})");
  });
  auto c = client_for(daemon);
  auto first = test::run(c->inspect_exec("e", 5s, {}));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->running);
  EXPECT_EQ(first->exit_code, 0);  // null while running
  EXPECT_EQ(first->pid, 42);
  ASSERT_TRUE(test::run(c->inspect_exec("e", 5s, {})));
  auto requests = daemon.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].target, "/version");
  EXPECT_EQ(requests[1].target, "/v1.21/exec/e/json");
  EXPECT_EQ(requests[2].target, "/v1.21/exec/e/json");
  EXPECT_EQ(requests[1].host, "api.moby.localhost");
}

TEST(DockerClient, RaisesTheFloorToTheDaemonsMinimum) {
  for (const char* min : {"1.24", "1.40"}) {
    FakeDockerDaemon daemon([min](const Request& r) {
      if (r.target == "/version") return FakeDockerDaemon::version_reply("1.47", min);
      return json(200, "{}");
    });
    auto c = client_for(daemon);
    auto v = test::run(c->api_version());
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, min);
  }
}

TEST(DockerClient, RefusesADaemonOlderThanTheFloor) {
  FakeDockerDaemon daemon([](const Request&) { return FakeDockerDaemon::version_reply("1.19", ""); });
  auto c = client_for(daemon);
  auto r = test::run(c->inspect_exec("e", 5s, {}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::unsupported_api);
  EXPECT_NE(r.error().message.find("1.19"), std::string::npos);
}

TEST(DockerClient, ExecCreateSendsTheReferenceBody) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    return json(201, R"({"id":"abc123"})");  // read case-insensitively, like Go
  });
  auto c = client_for(daemon);
  ExecConfig config;
  config.user = "0";
  config.detach = true;
  config.cmd = {"/ecs-execute-command-0b7c/amazon-ssm-agent"};
  auto id = test::run(c->create_exec("c1", config, 5s, {}));
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, "abc123");
  const Request req = daemon.requests().at(1);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/v1.21/containers/c1/exec");
  EXPECT_EQ(req.content_type, "application/json");
  EXPECT_EQ(req.body,
            R"({"User":"0","Privileged":false,"Tty":false,"AttachStdin":false,"AttachStderr":false,)"
            R"("AttachStdout":false,"Detach":true,"DetachKeys":"","Env":null,"WorkingDir":"",)"
            R"("Cmd":["/ecs-execute-command-0b7c/amazon-ssm-agent"]})"
            "\n");
}

TEST(DockerClient, ExecStartSendsDetachAndReadsAnEmptyBody) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    Reply ok;
    ok.content_type.clear();
    return ok;
  });
  auto c = client_for(daemon);
  ASSERT_TRUE(test::run(c->start_exec("e1", true, false, 5s, {})));
  const Request req = daemon.requests().at(1);
  EXPECT_EQ(req.target, "/v1.21/exec/e1/start");
  EXPECT_EQ(req.body, "{\"Detach\":true,\"Tty\":false}\n");
}

TEST(DockerClient, ChunkedAndContentLengthBodiesAreTheSame) {
  for (bool chunked : {false, true}) {
    FakeDockerDaemon daemon([chunked](const Request& r) {
      if (r.target == "/version") return FakeDockerDaemon::version_reply();
      Reply reply =
          json(200, R"({"Id":"c","Name":"/web","State":{"Status":"running","Running":true,"Pid":9},)"
                    R"("ExecIDs":["a","b"]})");
      reply.chunked = chunked;
      return reply;
    });
    auto c = client_for(daemon);
    auto info = test::run(c->inspect_container("c"));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->name, "/web");
    EXPECT_TRUE(info->state.running);
    EXPECT_EQ(info->state.pid, 9);
    EXPECT_EQ(info->exec_ids, (std::vector<std::string>{"a", "b"}));
  }
}

TEST(DockerClient, DaemonErrorsAreTypedWithTheDaemonsText) {
  struct Case {
    unsigned status;
    DockerErrc code;
  };
  for (const Case& k : {Case{404, DockerErrc::not_found}, Case{409, DockerErrc::conflict},
                        Case{400, DockerErrc::bad_request}, Case{500, DockerErrc::daemon_error}}) {
    // API 1.21 (this daemon's min is old): the reference's client reads the raw text body.
    FakeDockerDaemon daemon([&](const Request& r) {
      if (r.target == "/version") return FakeDockerDaemon::version_reply();
      Reply reply = json(k.status, "No such exec instance: e9\n");
      reply.content_type = "text/plain; charset=utf-8";
      return reply;
    });
    auto c = client_for(daemon);
    auto r = test::run(c->inspect_exec("e9", 5s, {}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, k.code);
    EXPECT_EQ(r.error().message, "Error response from daemon: No such exec instance: e9");
  }
  // From API 1.24 on the error is JSON with a message.
  FakeDockerDaemon modern([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply("1.47", "1.24");
    return json(409, R"({"message":"container c1 is not running"})");
  });
  auto c = client_for(modern);
  auto r = test::run(c->create_exec("c1", ExecConfig{}, 5s, {}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::conflict);
  EXPECT_EQ(r.error().message, "Error response from daemon: container c1 is not running");
}

TEST(DockerClient, AStalledDaemonTimesOutWithTheReferenceText) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    Reply stall;
    stall.stall = true;
    return stall;
  });
  auto c = client_for(daemon);
  const auto started = std::chrono::steady_clock::now();
  auto r = test::run(c->inspect_exec("e", 200ms, {}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::timeout);
  EXPECT_EQ(r.error().message, "Could not transition to inspect exec command; timed out after waiting 200ms");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST(DockerClient, AStopEndsACallAtOnce) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    Reply stall;
    stall.stall = true;
    return stall;
  });
  auto c = client_for(daemon);
  StopSource stop;
  asio::io_context io;
  asio::steady_timer timer(io, 50ms);
  timer.async_wait([&](boost::system::error_code) { stop.stop(); });
  const auto started = std::chrono::steady_clock::now();
  auto r = test::run(io, c->inspect_exec("e", 1min, stop));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::canceled);
  EXPECT_EQ(r.error().message, "context canceled");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST(DockerClient, HostileAnswersAreTypedErrors) {
  struct Case {
    const char* what;
    Reply reply;
    DockerErrc code;
  };
  Reply garbage;
  garbage.raw = "SSH-2.0-OpenSSH_9.2\r\n\r\n";
  Reply closes;
  closes.close = true;
  Reply not_json = json(200, "<html>");
  Reply wrong_type = json(200, R"({"Running":"yes"})");
  Reply huge = json(200, "{\"pad\":\"" + std::string(2 * 1024 * 1024, 'x') + "\"}");
  Reply truncated;
  truncated.raw = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Running\":";
  const Case cases[] = {
      {"not HTTP", garbage, DockerErrc::malformed_response},
      {"closed", closes, DockerErrc::transport},
      {"not JSON", not_json, DockerErrc::malformed_response},
      {"wrong member type", wrong_type, DockerErrc::malformed_response},
      {"over the body limit", huge, DockerErrc::malformed_response},
      {"truncated body", truncated, DockerErrc::transport},
  };
  for (const Case& k : cases) {
    FakeDockerDaemon daemon([&](const Request& r) {
      if (r.target == "/version") return FakeDockerDaemon::version_reply();
      return k.reply;
    });
    EngineClientOptions o;
    o.body_limit = 1024 * 1024;
    auto c = client_for(daemon, o);
    auto r = test::run(c->inspect_exec("e", 5s, {}));
    ASSERT_FALSE(r) << k.what;
    EXPECT_EQ(r.error().code, k.code) << k.what << ": " << r.error().message;
  }
}

TEST(DockerClient, NoDaemonIsATransportError) {
  auto c = EngineClient::from_docker_host("unix:///nonexistent/docker.sock");
  ASSERT_TRUE(c);
  auto r = test::run((*c)->inspect_exec("e", 5s, {}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::transport);
  EXPECT_NE(r.error().message.find("unix:///nonexistent/docker.sock"), std::string::npos)
      << r.error().message;
}

TEST(DockerClient, ContainerCallsUseTheirPaths) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    if (r.method == "POST" && r.target.starts_with("/v1.21/containers/create"))
      return json(201, R"({"Id":"new"})");
    if (r.target.starts_with("/v1.21/images/")) return json(200, R"({"Id":"sha256:1"})");
    if (r.target.ends_with("/top")) {
      return json(200, R"({"Titles":["UID","PID","CMD"],"Processes":[["root","42","/bin/sleep 100"]]})");
    }
    Reply none = json(204, "");
    return none;
  });
  auto c = client_for(daemon);
  ContainerCreateConfig config;
  config.name = "web";
  config.image = "ecs-test/busybox:latest";
  config.cmd = {"sleep", "100"};
  config.binds = {"/a:/b:ro"};
  config.network_mode = "none";
  ASSERT_EQ(*test::run(c->create_container(config)), "new");
  ASSERT_TRUE(test::run(c->start_container("new")));
  ASSERT_TRUE(test::run(c->stop_container("new", 3)));
  ASSERT_TRUE(test::run(c->kill_container("new", "KILL")));
  ASSERT_TRUE(test::run(c->remove_container("new", true)));
  ASSERT_EQ(test::run(c->inspect_image("ecs-test/busybox:latest"))->id, "sha256:1");
  auto top = test::run(c->top("new", 5s, {}));
  ASSERT_TRUE(top);
  EXPECT_EQ(top->processes.at(0).at(1), "42");
  auto requests = daemon.requests();
  std::vector<std::string> targets;
  for (const auto& r : requests) targets.push_back(r.method + " " + r.target);
  EXPECT_EQ(targets,
            (std::vector<std::string>{
                "GET /version", "POST /v1.21/containers/create?name=web", "POST /v1.21/containers/new/start",
                "POST /v1.21/containers/new/stop?t=3", "POST /v1.21/containers/new/kill?signal=KILL",
                "DELETE /v1.21/containers/new?force=1&v=1",
                "GET /v1.21/images/ecs-test/busybox%3Alatest/json", "GET /v1.21/containers/new/top"}));
  EXPECT_EQ(requests[1].body,
            R"({"Image":"ecs-test/busybox:latest","Cmd":["sleep","100"],"Env":[],"Labels":{},)"
            R"("HostConfig":{"Binds":["/a:/b:ro"],"NetworkMode":"none"}})"
            "\n");
}

// Volumes: POST /volumes/create with Name, Driver (local when none is given), DriverOpts and
// Labels, the answer parsed; GET /volumes/{name}; a 404 is not_found.
TEST(DockerClient, VolumesAreCreatedAndInspectedAndAMissingOneIsNotFound) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    if (r.target.ends_with("/volumes/create")) {
      return json(201, R"({"Name":"data","Driver":"local","Mountpoint":"/var/lib/docker/volumes/data/_data",)"
                       R"("Options":{"type":"tmpfs"},"Labels":{"team":"a"}})");
    }
    if (r.target.ends_with("/volumes/data")) {
      return json(200, R"({"Name":"data","Driver":"local","Options":null,"Labels":{"team":"a"}})");
    }
    return json(404, R"({"message":"get nope: no such volume"})");
  });
  auto c = client_for(daemon);
  VolumeCreateConfig config;
  config.name = "data";
  config.driver_opts = {{"type", "tmpfs"}};
  config.labels = {{"team", "a"}};
  auto created = test::run(c->create_volume(config));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->mountpoint, "/var/lib/docker/volumes/data/_data");
  EXPECT_EQ(created->options.at("type"), "tmpfs");
  auto found = test::run(c->inspect_volume("data"));
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_TRUE(found->options.empty());
  EXPECT_EQ(found->labels.at("team"), "a");
  auto missing = test::run(c->inspect_volume("nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, DockerErrc::not_found);
  const auto requests = daemon.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[1].method + " " + requests[1].target, "POST /v1.21/volumes/create");
  EXPECT_EQ(requests[1].body,
            R"({"Name":"data","Driver":"local","DriverOpts":{"type":"tmpfs"},"Labels":{"team":"a"}})");
  EXPECT_EQ(requests[3].method + " " + requests[3].target, "GET /v1.21/volumes/nope");
}

// A container's dockerConfig.version raises the path's version for its create and start only; one
// below the negotiated version leaves it; one that is not a version is refused without a request.
TEST(DockerClient, ACreateAndStartUseTheContainersApiVersionWhenAboveTheClients) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    if (r.target.find("/containers/create") != std::string::npos) return json(201, R"({"Id":"new"})");
    Reply none = json(204, "");
    return none;
  });
  auto c = client_for(daemon);
  ContainerCreateConfig config;
  config.name = "web";
  config.image = "ecs-test/busybox:latest";
  config.api_version = "1.40";
  ASSERT_TRUE(test::run(c->create_container(config)));
  ASSERT_TRUE(test::run(c->start_container("new", 5s, {}, "1.40")));
  ASSERT_TRUE(test::run(c->stop_container("new", 3)));
  ASSERT_TRUE(test::run(c->start_container("new", 5s, {}, "1.17")));
  auto bad = test::run(c->start_container("new", 5s, {}, "1.x"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "'1.x' is not a Docker API version");
  std::vector<std::string> targets;
  for (const auto& r : daemon.requests()) targets.push_back(r.method + " " + r.target);
  EXPECT_EQ(targets,
            (std::vector<std::string>{
                "GET /version", "POST /v1.40/containers/create?name=web", "POST /v1.40/containers/new/start",
                "POST /v1.21/containers/new/stop?t=3", "POST /v1.21/containers/new/start"}));
}

TEST(DockerApiVersion, OnlyDottedDecimalsAreVersions) {
  EXPECT_TRUE(is_api_version("1.17"));
  EXPECT_TRUE(is_api_version("1.41"));
  for (const char* bad : {"", "1", "1.", ".1", "latest", "1.x", "v1.41", "1.4.1", "1.41 "}) {
    EXPECT_FALSE(is_api_version(bad)) << bad;
  }
}

TEST(DockerClient, ConcurrentFirstCallsNegotiateOnce) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    return json(200, R"({"Running":false,"ExitCode":3})");
  });
  auto c = client_for(daemon);
  asio::io_context io;
  int done = 0;
  for (int i = 0; i < 4; ++i) {
    asio::co_spawn(io, c->inspect_exec("e", 5s, {}), [&](std::exception_ptr, Result<ExecInspect> r) {
      EXPECT_TRUE(r);
      EXPECT_EQ(r->exit_code, 3);
      ++done;
    });
  }
  io.run();
  EXPECT_EQ(done, 4);
  int versions = 0;
  for (const auto& r : daemon.requests()) versions += r.target == "/version";
  EXPECT_EQ(versions, 1);
}

}  // namespace
}  // namespace ecs::dockerapi
