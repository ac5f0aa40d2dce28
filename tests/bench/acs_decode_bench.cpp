// Decoding each ACS message type the agent receives (the exceptions in both forms) into the typed
// model, next to simdjson's raw parse (DOM) of the same bytes in the same run. Goal: decode within
// 3x of the raw parse.
//
// BM_Decode_* is what the ACS client does: frame after frame parsed where the websocket client
// read it (followed by its padding, as the baseline's input is) and decoded into the same
// message, reusing its storage (as the baseline reuses its parser's). BM_DecodeFresh_* decodes
// into a new message and frees it each time, for comparison.
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "acs/codec.h"
#include "ratio_reporter.h"

namespace {

std::string container(int i) {
  std::string s = R"({"name":"c)";
  s += std::to_string(i);
  return s +
         R"(","image":"123456789012.dkr.ecr.us-west-2.amazonaws.com/app:v1","cpu":128,"memory":256,"essential":true,"command":["run","--port","8080"],"environment":{"STAGE":"prod","REGION":"us-west-2"},"portMappings":[{"containerPort":8080,"hostPort":0,"protocol":"tcp"}],"mountPoints":[{"sourceVolume":"data","containerPath":"/data","readOnly":false}],"managedAgents":[{"name":"ExecuteCommandAgent","properties":{"sessionLimit":"2"}}],"logsAuthStrategy":"ExecutionRole","dependsOn":[{"containerName":"init","condition":"SUCCESS"}]})";
}

std::string task(int t, int containers) {
  std::string s = R"({"arn":"arn:aws:ecs:us-west-2:123456789012:task/default/)";
  s += std::to_string(t);
  s +=
      R"(","family":"web","version":"3","desiredStatus":"RUNNING","networkMode":"awsvpc","cpu":1.5,"memory":2048,"launchType":"EC2","containers":[)";
  for (int i = 0; i < containers; ++i) {
    if (i) s += ',';
    s += container(i);
  }
  s +=
      R"(],"volumes":[{"name":"data","type":"host","host":{"sourcePath":"/mnt/data"}}],"roleCredentials":{"credentialsId":"cred-)";
  s += std::to_string(t);
  s +=
      R"(","roleArn":"arn:aws:iam::123456789012:role/app","accessKeyId":"ASIAEXAMPLE","secretAccessKey":"secret","sessionToken":"token","expiration":"2030-01-01T00:00:00Z"}})";
  return s;
}

std::string payload(int tasks, int containers) {
  std::string s =
      R"({"type":"PayloadMessage","message":{"messageId":"m-1","clusterArn":"arn:aws:ecs:us-west-2:123456789012:cluster/default","containerInstanceArn":"arn:aws:ecs:us-west-2:123456789012:container-instance/default/abc","seqNum":7,"generatedAt":1700000000,"tasks":[)";
  for (int t = 0; t < tasks; ++t) {
    if (t) s += ',';
    s += task(t, containers);
  }
  return s + "]}}";
}

struct Sample {
  const char* name;
  std::string frame;
};

std::vector<Sample>& samples() {
  static std::
      vector<Sample>
          s =
              {
                  {"Heartbeat",
                   R"({"type":"HeartbeatMessage","message":{"healthy":true,"messageId":"hb-1"}})"},
                  {"Payload1Task1Container", payload(1, 1)},
                  {"Payload100Tasks10Containers", payload(100, 10)},
                  {"RefreshCredentials",
                   R"({"type":"IAMRoleCredentialsMessage","message":{"messageId":"c-1","taskArn":"arn:aws:ecs:us-west-2:123456789012:task/default/t1","roleType":"TaskApplication","roleCredentials":{"credentialsId":"cred-1","roleArn":"arn:aws:iam::123456789012:role/r","accessKeyId":"AKID2","secretAccessKey":"SK2","sessionToken":"ST2","expiration":"2030-01-01T06:00:00Z"}}})"},
                  {"AttachTaskEni",
                   R"({"type":"AttachTaskNetworkInterfacesMessage","message":{"messageId":"123","clusterArn":"default","containerInstanceArn":"ci","taskArn":"t","waitTimeoutMs":1000,"elasticNetworkInterfaces":[{"ec2Id":"eni-1","macAddress":"00:0a:95:9d:68:16","interfaceAssociationProtocol":"default","subnetGatewayIpv4Address":"192.168.1.1/24","ipv4Addresses":[{"primary":true,"privateAddress":"192.168.1.2"}]}]}})"},
                  {"TaskManifest",
                   R"({"type":"TaskManifestMessage","message":{"messageId":"tm-1","clusterArn":"c","containerInstanceArn":"ci","timeline":8,"tasks":[{"taskArn":"t1","desiredStatus":"RUNNING"},{"taskArn":"t2","desiredStatus":"STOPPED"}]}})"},
                  {"TaskStopVerificationAck",
                   R"({"type":"TaskStopVerificationAck","message":{"messageId":"tm-1","generatedAt":1700000100,"stopTasks":[{"taskArn":"t9","desiredStatus":"STOPPED"}]}})"},
                  {"ConfirmAttachment",
                   R"({"type":"ConfirmAttachmentMessage","message":{"messageId":"123","clusterArn":"arn:aws:ecs:us-west-2:1:cluster/d","containerInstanceArn":"arn:aws:ecs:us-west-2:1:container-instance/x","attachment":{"attachmentArn":"arn:aws:ecs:us-west-2:1:attachment/a","attachmentType":"amazonebs","attachmentProperties":[{"name":"volumeId","value":"v"},{"name":"volumeSizeGib","value":"1"}]}}})"},
                  {"ExceptionSingleKey", R"({"InactiveInstanceException":"Container instance is inactive"})"},
                  {"ExceptionTyped",
                   R"({"type":"InvalidInstanceException","message":{"message":"Invalid container instance: arn:aws:ecs:us-west-2:123456789012:container-instance/default/abc"}})"},
                  {"ErrorMessage",
                   R"({"type":"ErrorMessage","message":{"message":"Internal error, please retry"}})"},
                  {"CloseMessage",
                   R"({"type":"CloseMessage","message":{"message":"ConnectionExpired: Reconnect to continue"}})"},
                  {"StageUpdate",
                   R"({"type":"StageUpdateMessage","message":{"messageId":"u-1","clusterArn":"arn:aws:ecs:us-west-2:123456789012:cluster/default","containerInstanceArn":"arn:aws:ecs:us-west-2:123456789012:container-instance/default/abc","updateInfo":{"location":"https://s3.us-west-2.amazonaws.com/amazon-ecs-agent/ecs-agent-v1.80.0.tar","signature":"6caeef375a080e3241781725b357890758d94b15d7ce63f6b2ff1bb5589f2007"}}})"},
                  {"PerformUpdate",
                   R"({"type":"PerformUpdateMessage","message":{"messageId":"u-2","clusterArn":"arn:aws:ecs:us-west-2:123456789012:cluster/default","containerInstanceArn":"arn:aws:ecs:us-west-2:123456789012:container-instance/default/abc","updateInfo":{"location":"https://s3.us-west-2.amazonaws.com/amazon-ecs-agent/ecs-agent-v1.80.0.tar","signature":"6caeef375a080e3241781725b357890758d94b15d7ce63f6b2ff1bb5589f2007"}}})"},
                  {"AttachInstanceEni",
                   R"({"type":"AttachInstanceNetworkInterfacesMessage","message":{"messageId":"124","clusterArn":"default","containerInstanceArn":"ci","generatedAt":1700000000,"waitTimeoutMs":1000,"elasticNetworkInterfaces":[{"ec2Id":"eni-2","macAddress":"00:0a:95:9d:68:17","interfaceAssociationProtocol":"vlan","interfaceVlanProperties":{"vlanId":"133","trunkInterfaceMacAddress":"00:0a:95:9d:68:18"},"subnetGatewayIpv4Address":"192.168.1.1/24","ipv4Addresses":[{"primary":true,"privateAddress":"192.168.1.3"}]}]}})"},
              };
  return s;
}

// What the ACS client does with a frame: the websocket client hands it over followed by padding in
// its read buffer, and it is decoded into the message the previous frame left.
struct ClientDecode {
  explicit ClientDecode(const std::string& frame)
      : buffer(frame + std::string(simdjson::SIMDJSON_PADDING, '\0')), padded(buffer.data(), frame.size()) {}
  bool once() {
    const bool ok = bool(decoder.decode_padded_into(padded, message));
    benchmark::DoNotOptimize(message);
    return ok;
  }
  std::string buffer;
  std::string_view padded;
  ecs::acs::Decoder decoder;
  ecs::acs::Message message;
};

// The baseline at its cheapest: the bytes are padded once, so each call is nothing but
// simdjson's DOM parse (the decoder, by contrast, is handed each frame it parses).
struct RawParse {
  explicit RawParse(const std::string& frame) : padded(frame) {}
  bool once() {
    simdjson::dom::element doc;
    const bool ok = parser.parse(padded).get(doc) == simdjson::SUCCESS;
    benchmark::DoNotOptimize(doc);
    return ok;
  }
  simdjson::padded_string padded;
  simdjson::dom::parser parser;
};

void decode(benchmark::State& state, const std::string* frame) {
  ClientDecode client(*frame);
  for (auto _ : state) {
    if (!client.once()) state.SkipWithError("decode failed");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame->size()));
}

void decode_fresh(benchmark::State& state, const std::string* frame) {
  ecs::acs::Decoder decoder;
  for (auto _ : state) {
    auto m = decoder.decode(*frame);
    if (!m) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame->size()));
}

void raw_parse(benchmark::State& state, const std::string* frame) {
  RawParse baseline(*frame);
  for (auto _ : state) {
    if (!baseline.once()) state.SkipWithError("parse failed");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame->size()));
}

// The same ratio measured in pairs: a block of raw parses (about 10 ms) next to a block of
// decodes of the same frame, 31 times, alternating which goes first; the median of the 31
// per-pair ratios. A slow phase of the shared host (seconds long, sometimes most of a run)
// slows both halves of a pair alike, where the medians above can each fall in a different phase.
template <class F>
double ns_per_call(F&& f, int calls) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) f();
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / calls;
}

// The q-quantile of v (sorted in place).
double quantile(std::vector<double>& v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}

void report_paired() {
  constexpr int kPairs = 31;
  constexpr double kBlockNs = 1e7;
  std::printf("\nPaired ratios (decode / raw parse; median of %d adjacent ~10 ms blocks, p25-p75):\n",
              kPairs);
  for (const Sample& s : samples()) {
    ClientDecode client(s.frame);
    RawParse baseline(s.frame);
    bool ok = true;
    const auto decode_once = [&] { ok = client.once() && ok; };
    const auto parse_once = [&] { ok = baseline.once() && ok; };
    const int decodes = std::max(1, static_cast<int>(kBlockNs / ns_per_call(decode_once, 200)));
    const int parses = std::max(1, static_cast<int>(kBlockNs / ns_per_call(parse_once, 200)));
    std::vector<double> ratios, decode_ns, parse_ns;
    for (int pair = 0; pair < kPairs; ++pair) {
      double d, p;
      if (pair % 2 == 0) {
        p = ns_per_call(parse_once, parses);
        d = ns_per_call(decode_once, decodes);
      } else {
        d = ns_per_call(decode_once, decodes);
        p = ns_per_call(parse_once, parses);
      }
      ratios.push_back(d / p);
      decode_ns.push_back(d);
      parse_ns.push_back(p);
    }
    if (!ok) {
      std::printf("  %-28s decode or parse FAILED\n", s.name);
      continue;
    }
    std::printf("  %-28s %5.2fx  (%.3g ns vs %.3g ns; p25-p75 %.2fx-%.2fx)\n", s.name, quantile(ratios, 0.5),
                quantile(decode_ns, 0.5), quantile(parse_ns, 0.5), quantile(ratios, 0.25),
                quantile(ratios, 0.75));
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (const Sample& s : samples()) {
    const std::string d = std::string("BM_Decode_") + s.name;
    const std::string f = std::string("BM_DecodeFresh_") + s.name;
    const std::string r = std::string("BM_RawParse_") + s.name;
    benchmark::RegisterBenchmark(d.c_str(), decode, &s.frame);
    benchmark::RegisterBenchmark(f.c_str(), decode_fresh, &s.frame);
    benchmark::RegisterBenchmark(r.c_str(), raw_parse, &s.frame);
    ecs::bench::compare(d, r);
    ecs::bench::compare(f, r);
  }
  // Repetitions interleaved at random with the baselines' and their medians compared: on this
  // shared 2-core host a single run of each drifts by tens of percent.
  const int rc =
      ecs::bench::run_main(argc, argv,
                           {"--benchmark_repetitions=9", "--benchmark_enable_random_interleaving=true",
                            "--benchmark_report_aggregates_only=true"});
  report_paired();
  return rc;
}
