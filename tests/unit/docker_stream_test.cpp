// The Docker client's streamed calls against a fake daemon: image pulls (the request, the
// registry auth header, an error in the progress stream, the begin and inactivity deadlines)
// and the event stream (events split across chunks, the end of the stream, a stop while it is
// quiet), plus the inspect fields the task engine reads.
#include <gtest/gtest.h>

#include "dockerapi/client.h"
#include "support/fake_docker_daemon.h"
#include "support/run.h"

namespace ecs::dockerapi {
namespace {

using namespace std::chrono_literals;
using test::FakeDockerDaemon;
using Reply = FakeDockerDaemon::Reply;
using Request = FakeDockerDaemon::Request;

std::unique_ptr<EngineClient> client_for(const FakeDockerDaemon& daemon) {
  auto c = EngineClient::from_docker_host(daemon.docker_host());
  EXPECT_TRUE(c);
  return std::move(*c);
}

// A chunked 200 answer whose chunks are exactly `chunks`.
std::string chunked(const std::vector<std::string>& chunks, bool last = true) {
  std::string out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const auto& c : chunks) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx", c.size());
    out += std::string(size) + "\r\n" + c + "\r\n";
  }
  if (last) out += "0\r\n\r\n";
  return out;
}

Reply raw(std::string bytes, bool keep_open = false) {
  Reply r;
  r.raw = std::move(bytes);
  r.keep_open = keep_open;
  return r;
}

TEST(DockerPull, SendsRepositoryTagAndAuthAndReadsTheStreamToItsEnd) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    return raw(chunked({R"({"status":"Pulling from library/busybox","id":"latest"})"
                        "\n"
                        R"({"status":"Downloa)",
                        R"(ding"})"
                        "\r\n",
                        R"({"status":"Status: Downloaded newer image for busybox:latest"})"
                        "\n"}));
  });
  auto c = client_for(daemon);
  PullOptions options;
  options.registry_auth = "eyJ1c2VybmFtZSI6InUifQ==";
  auto r = test::run(c->pull_image("registry.local:5000/team/busybox", options));
  ASSERT_TRUE(r) << r.error().message;
  auto requests = daemon.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].target,
            "/v1.21/images/create?fromImage=registry.local%3A5000%2Fteam%2Fbusybox&tag=latest");
  EXPECT_EQ(requests[1].registry_auth, "eyJ1c2VybmFtZSI6InUifQ==");
}

TEST(DockerPull, AnErrorInTheProgressStreamFailsThePull) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    return raw(
        chunked({R"({"status":"Pulling"})"
                 "\n",
                 R"({"errorDetail":{"message":"manifest unknown"},"error":"manifest for x:1 not found"})"
                 "\n"}));
  });
  auto c = client_for(daemon);
  auto r = test::run(c->pull_image("x:1", {}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::pull_failed);
  EXPECT_EQ(r.error().message, "manifest for x:1 not found");
}

TEST(DockerPull, ANonSuccessAnswerCarriesTheDaemonsMessage) {
  // (A daemon whose minimum API is 1.24: its JSON error bodies are read, as the Go client does.)
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply("1.41", "1.24");
    Reply reply;
    reply.status = 404;
    reply.body = R"({"message":"pull access denied for nope, repository does not exist"})";
    return reply;
  });
  auto c = client_for(daemon);
  auto r = test::run(c->pull_image("nope", {}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::not_found);
  EXPECT_EQ(r.error().message,
            "Error response from daemon: pull access denied for nope, repository does not exist");
}

TEST(DockerPull, APullThatStopsMakingProgressEndsAtTheInactivityDeadline) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    return raw(chunked({R"({"status":"Pulling"})"
                        "\n"},
                       /*last=*/false),
               /*keep_open=*/true);
  });
  auto c = client_for(daemon);
  PullOptions options;
  options.idle = 200ms;
  auto r = test::run(c->pull_image("slow", options));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::timeout);
  EXPECT_NE(r.error().message.find("inactivity time exceeded timeout"), std::string::npos)
      << r.error().message;
}

TEST(DockerPull, ADaemonThatNeverAnswersEndsAtTheBeginDeadline) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    Reply stall;
    stall.stall = true;
    return stall;
  });
  auto c = client_for(daemon);
  PullOptions options;
  options.begin = 200ms;
  auto r = test::run(c->pull_image("busybox", options));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::timeout);
  EXPECT_NE(r.error().message.find("no answer"), std::string::npos) << r.error().message;
}

TEST(DockerPull, ALineOverTheLimitIsAMalformedAnswerNotUnboundedMemory) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    return raw(chunked({std::string(kStreamLineLimit + 10, 'x')}));
  });
  auto c = client_for(daemon);
  auto r = test::run(c->pull_image("busybox", {}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::malformed_response);
}

TEST(DockerEvents, DeliversEachEventAsItArrivesAndReportsTheEndOfTheStream) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    return raw(
        chunked({R"({"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"name":"web"}},)",
                 R"("timeNano":17})"
                 "\n"
                 R"({"Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3"}}})"
                 "\n"
                 "not json\n"}));
  });
  auto c = client_for(daemon);
  std::vector<DockerEvent> events;
  auto r = test::run(c->watch_events([&events](DockerEvent e) { events.push_back(std::move(e)); }));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::transport);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action, "start");
  EXPECT_EQ(events[0].id, "abc");
  EXPECT_EQ(events[0].attributes.at("name"), "web");
  EXPECT_EQ(events[0].time_nano, 17);
  EXPECT_EQ(events[1].action, "die");
  EXPECT_EQ(events[1].attributes.at("exitCode"), "3");
  auto requests = daemon.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].target, "/v1.21/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D");
}

TEST(DockerEvents, AQuietStreamEndsAtOnceWhenStopped) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    return raw(chunked({R"({"Type":"container","Action":"create","Actor":{"ID":"a"}})"
                        "\n"},
                       false),
               true);
  });
  auto c = client_for(daemon);
  asio::io_context io;
  StopSource stop;
  std::vector<DockerEvent> events;
  auto r = test::run(io, c->watch_events(
                             [&](DockerEvent e) {
                               events.push_back(std::move(e));
                               stop.stop();  // from inside the stream's own callback
                             },
                             stop));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DockerErrc::canceled);
  EXPECT_EQ(events.size(), 1u);
}

TEST(DockerInspect, ReadsWhatTheEngineNeeds) {
  FakeDockerDaemon daemon([](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    Reply reply;
    reply.body = R"({"Id":"c1","Name":"/ecs-x","Image":"sha256:img","Created":"2026-12-03T10:00:00.5Z",
      "State":{"Status":"exited","Running":false,"OOMKilled":true,"Dead":false,"ExitCode":137,"Error":"",
        "StartedAt":"2026-12-03T10:00:01Z","FinishedAt":"2026-12-03T10:00:02Z",
        "Health":{"Status":"unhealthy","Log":[{"ExitCode":0,"Output":"ok"},{"ExitCode":1,"Output":"bad"}]}},
      "Config":{"Labels":{"com.amazonaws.ecs.task-arn":"arn:t"}},
      "NetworkSettings":{"Ports":{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"32768"},{"HostIp":"::","HostPort":"32768"}],
                                  "53/udp":null},
                         "Networks":{"bridge":{"IPAddress":"172.17.0.2","GlobalIPv6Address":""}}}})";
    return reply;
  });
  auto c = client_for(daemon);
  auto r = test::run(c->inspect_container("c1"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->state.oom_killed);
  EXPECT_EQ(r->state.exit_code, 137);
  EXPECT_EQ(r->state.started_at, "2026-12-03T10:00:01Z");
  ASSERT_TRUE(r->state.health);
  EXPECT_EQ(r->state.health->status, "unhealthy");
  EXPECT_EQ(r->state.health->last_output, "bad");
  EXPECT_EQ(r->state.health->last_exit_code, 1);
  EXPECT_EQ(r->labels.at("com.amazonaws.ecs.task-arn"), "arn:t");
  ASSERT_EQ(r->ports.size(), 2u);
  EXPECT_EQ(r->ports[0].container_port, 80);
  EXPECT_EQ(r->ports[0].protocol, "tcp");
  EXPECT_EQ(r->ports[0].host_port, 32768);
  EXPECT_EQ(r->ports[1].host_ip, "::");
  ASSERT_EQ(r->networks.size(), 1u);
  EXPECT_EQ(r->networks[0].ipv4_address, "172.17.0.2");
}

TEST(DockerList, ListsEveryContainerWithALabelRunningOrNot) {
  std::string target;
  FakeDockerDaemon daemon([&target](const Request& r) {
    if (r.target == "/version") return FakeDockerDaemon::version_reply();
    target = r.target;
    Reply reply;
    reply.body = R"([{"Id":"c1","Names":["/ecs-a-1-web-0011"],"State":"running",
                      "Labels":{"com.amazonaws.ecs.task-arn":"arn:t"}},
                     {"Id":"c2","Names":null,"State":"exited","Labels":null}])";
    return reply;
  });
  auto c = client_for(daemon);
  auto r = test::run(c->list_containers("com.amazonaws.ecs.task-arn"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NE(target.find(
                "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22com.amazonaws.ecs.task-arn%22%5D%7D"),
            std::string::npos)
      << target;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].id, "c1");
  EXPECT_EQ((*r)[0].name, "ecs-a-1-web-0011");
  EXPECT_EQ((*r)[0].state, "running");
  EXPECT_EQ((*r)[0].labels.at("com.amazonaws.ecs.task-arn"), "arn:t");
  EXPECT_EQ((*r)[1].name, "");
  // Not a list: a typed error, not a crash.
  for (std::string_view bad : {R"({"Id":"c1"})", "[1,2]", R"([{"Id":5}])", "[{"}) {
    auto parsed = parse_container_list(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, DockerErrc::malformed_response) << bad;
  }
}

TEST(DockerImageReference, SplitsAsThePullApiWants) {
  auto check = [](std::string_view image, std::string repo, std::string tag, bool digest) {
    auto ref = parse_image_reference(image);
    EXPECT_EQ(ref.repository, repo) << image;
    EXPECT_EQ(ref.tag, tag) << image;
    EXPECT_EQ(ref.by_digest, digest) << image;
  };
  check("busybox", "busybox", "latest", false);
  check("busybox:1.36", "busybox", "1.36", false);
  check("localhost:5000/a/b", "localhost:5000/a/b", "latest", false);
  check("localhost:5000/a/b:t", "localhost:5000/a/b", "t", false);
  check("a/b@sha256:abcd", "a/b", "sha256:abcd", true);
  check("a/b:t@sha256:abcd", "a/b", "sha256:abcd", true);
}

}  // namespace
}  // namespace ecs::dockerapi
