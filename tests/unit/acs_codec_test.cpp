// The ACS message model and codec: coverage of api-2.json, decoding rules (§3.3), encoding.
#include "acs/codec.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "acs/connection.h"
#include "support/ci.h"
#include "support/shared_data.h"

namespace ecs::acs {
namespace {

std::string api_kind(simdjson::dom::element shapes, std::string_view shape) {
  simdjson::dom::element s = shapes[shape];
  const std::string_view type = s["type"];
  if (type == "string") return "string";
  if (type == "boolean") return "boolean";
  if (type == "integer" || type == "long") return "integer";
  if (type == "double") return "double";
  if (type == "map") return "map";
  if (type == "list") return "list:" + api_kind(shapes, std::string_view(s["member"]["shape"]));
  if (type == "structure") return "structure:" + std::string(shape);
  return "unknown:" + std::string(type);
}

TEST(AcsModel, CoversEveryShapeAndMemberOfApi2Json) {
  const auto path = test::shared_dir() / "testdata" / "acs" / "api-2.json";
  if (!std::filesystem::exists(path)) {
    ECS_SKIP_OR_FAIL_IN_CI("../shared/testdata/acs/api-2.json not found at " + path.string());
  }
  simdjson::dom::parser parser;
  simdjson::dom::element model = parser.load(path.string());
  simdjson::dom::element shapes = model["shapes"];
  std::set<std::string> api_structures;
  for (auto [name, shape] : simdjson::dom::object(shapes)) {
    if (std::string_view(shape["type"]) != "structure") continue;
    api_structures.insert(std::string(name));
    auto ours = describe_shape(name);
    ASSERT_TRUE(ours) << "shape " << name << " is not modelled";
    std::map<std::string, std::string> our_members;
    for (const auto& m : *ours) our_members[m.name] = m.kind;
    simdjson::dom::object members;
    if (shape["members"].get(members) == simdjson::SUCCESS) {
      for (auto [member, spec] : members) {
        const std::string expected = api_kind(shapes, std::string_view(spec["shape"]));
        auto it = our_members.find(std::string(member));
        ASSERT_NE(it, our_members.end()) << name << "." << member << " is not modelled";
        EXPECT_EQ(it->second, expected) << name << "." << member;
        our_members.erase(it);
      }
    }
    EXPECT_TRUE(our_members.empty()) << name
                                     << " has members the model does not: " << our_members.begin()->first;
  }
  const auto names = all_shape_names();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), api_structures);
  EXPECT_EQ(api_structures.size(), 67u);
}

class DecodeTest : public ::testing::Test {
 protected:
  template <class T>
  T decode_as(std::string_view frame) {
    auto r = decoder.decode(frame);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    if (!r) return T{};
    EXPECT_TRUE(std::holds_alternative<T>(*r)) << type_name(*r);
    return std::holds_alternative<T>(*r) ? std::get<T>(*r) : T{};
  }
  Error decode_error(std::string_view frame) {
    auto r = decoder.decode(frame);
    EXPECT_FALSE(r) << "decoded as " << (r ? type_name(*r) : "");
    return r ? Error{} : r.error();
  }
  Decoder decoder;
};

TEST_F(DecodeTest, PayloadMessageOfAppendixB) {
  const auto p = decode_as<PayloadMessage>(
      R"({"type":"PayloadMessage","message":{"messageId":"m-1","clusterArn":"arn:aws:ecs:us-west-2:123456789012:cluster/default","containerInstanceArn":"arn:aws:ecs:us-west-2:123456789012:container-instance/default/abc","seqNum":7,"generatedAt":1700000000,"tasks":[{"arn":"arn:aws:ecs:us-west-2:123456789012:task/default/t1","family":"web","version":"3","desiredStatus":"RUNNING","containers":[{"name":"c1","image":"nginx","cpu":10,"memory":64,"essential":true}],"roleCredentials":{"credentialsId":"cred-1","roleArn":"arn:aws:iam::123456789012:role/r","accessKeyId":"AKID","secretAccessKey":"SK","sessionToken":"ST","expiration":"2030-01-01T00:00:00Z"}}]}})"
      "\n");
  EXPECT_EQ(p.messageId, "m-1");
  EXPECT_EQ(p.seqNum, 7);
  ASSERT_TRUE(p.tasks);
  ASSERT_EQ(p.tasks->size(), 1u);
  const Task& t = p.tasks->front();
  EXPECT_EQ(t.arn, "arn:aws:ecs:us-west-2:123456789012:task/default/t1");
  ASSERT_TRUE(t.containers);
  EXPECT_EQ(t.containers->front().cpu, 10);
  EXPECT_EQ(t.containers->front().essential, true);
  EXPECT_EQ(t.roleCredentials->secretAccessKey, "SK");
  EXPECT_FALSE(t.executionRoleCredentials);  // absent stays absent
  EXPECT_FALSE(p.timeline);
}

// TestRefreshCredentialsHandlerCalled: an extra clusterArn key is ignored.
TEST_F(DecodeTest, RefreshCredentialsMessageIgnoresUnknownKeys) {
  const auto m = decode_as<IAMRoleCredentialsMessage>(
      R"({"type":"IAMRoleCredentialsMessage","message":{"messageId":"123","clusterArn":"default","taskArn":"t1","roleType":"TaskApplication","roleCredentials":{"credentialsId":"credsId","accessKeyId":"newakid","expiration":"later","roleArn":"r1","secretAccessKey":"newskid","sessionToken":"newstkn"}}})");
  EXPECT_EQ(m.taskArn, "t1");
  EXPECT_EQ(m.roleType, "TaskApplication");
  EXPECT_EQ(m.roleCredentials->credentialsId, "credsId");
  EXPECT_EQ(m.roleCredentials->accessKeyId, "newakid");
  EXPECT_EQ(m.roleCredentials->secretAccessKey, "newskid");
  EXPECT_EQ(m.roleCredentials->sessionToken, "newstkn");
  EXPECT_EQ(m.roleCredentials->expiration, "later");
}

// TestAttachENIHandlerCalled / TestAttachInstanceENIHandlerCalled.
TEST_F(DecodeTest, AttachEniMessagesDecodeEveryEniField) {
  const std::string eni =
      R"({"attachmentArn":"arn:eni","ec2Id":"eni-1","macAddress":"00:0a:95:9d:68:16","interfaceAssociationProtocol":"vlan","index":1,"name":"eth1","privateDnsName":"ip-1","domainName":["a.example"],"domainNameServers":["10.0.0.2"],"ipv4Addresses":[{"primary":true,"privateAddress":"10.0.0.5"}],"ipv6Addresses":[{"address":"2600::1","primary":false}],"subnetGatewayIpv4Address":"10.0.0.1/24","subnetGatewayIpv6Address":"2600::/64","interfaceVlanProperties":{"vlanId":"12","trunkInterfaceMacAddress":"aa:bb"},"interfaceTunnelProperties":{"tunnelId":"t","interfaceIpAddress":"1.2.3.4"},"interfaceVethProperties":{"peerInterface":"veth0"}})";
  const auto t = decode_as<AttachTaskNetworkInterfacesMessage>(
      R"({"type":"AttachTaskNetworkInterfacesMessage","message":{"messageId":"m","clusterArn":"c","containerInstanceArn":"ci","taskArn":"t","taskClusterArn":"tc","generatedAt":1,"waitTimeoutMs":1000,"elasticNetworkInterfaces":[)" +
      eni + "]}}");
  ASSERT_EQ(t.elasticNetworkInterfaces->size(), 1u);
  const auto& e = t.elasticNetworkInterfaces->front();
  EXPECT_EQ(e.ec2Id, "eni-1");
  EXPECT_EQ(e.index, 1);
  EXPECT_EQ(e.ipv4Addresses->front().privateAddress, "10.0.0.5");
  EXPECT_EQ(e.ipv4Addresses->front().primary, true);
  EXPECT_EQ(e.ipv6Addresses->front().address, "2600::1");
  EXPECT_EQ(e.interfaceVlanProperties->vlanId, "12");
  EXPECT_EQ(e.interfaceTunnelProperties->tunnelId, "t");
  EXPECT_EQ(e.interfaceVethProperties->peerInterface, "veth0");
  EXPECT_EQ(e.domainNameServers->front(), "10.0.0.2");
  EXPECT_EQ(t.waitTimeoutMs, 1000);
  const auto i = decode_as<AttachInstanceNetworkInterfacesMessage>(
      R"({"type":"AttachInstanceNetworkInterfacesMessage","message":{"messageId":"m","clusterArn":"c","containerInstanceArn":"ci","waitTimeoutMs":5,"elasticNetworkInterfaces":[)" +
      eni + "]}}");
  EXPECT_EQ(i.elasticNetworkInterfaces->front().macAddress, "00:0a:95:9d:68:16");
}

TEST_F(DecodeTest, KeysMatchCaseInsensitivelyButExactWins) {
  const auto h = decode_as<HeartbeatMessage>(
      R"({"TYPE":"HeartbeatMessage","Message":{"MessageID":"x","Healthy":true}})");
  EXPECT_EQ(h.messageId, "x");
  EXPECT_EQ(h.healthy, true);
  const auto both = decode_as<HeartbeatMessage>(
      R"({"type":"HeartbeatMessage","message":{"MESSAGEID":"folded","messageId":"exact"}})");
  EXPECT_EQ(both.messageId, "exact");
  const auto last = decode_as<HeartbeatMessage>(
      R"({"type":"HeartbeatMessage","message":{"messageId":"a","messageId":"b"}})");
  EXPECT_EQ(last.messageId, "b");
}

TEST_F(DecodeTest, NullIsAbsentAndNullMessageIsAnEmptyShape) {
  const auto h = decode_as<HeartbeatMessage>(
      R"({"type":"HeartbeatMessage","message":{"messageId":null,"healthy":false}})");
  EXPECT_FALSE(h.messageId);
  EXPECT_EQ(h.healthy, false);
  const auto empty = decode_as<HeartbeatMessage>(R"({"type":"HeartbeatMessage","message":null})");
  EXPECT_EQ(empty, HeartbeatMessage{});
  const auto p =
      decode_as<PayloadMessage>(R"({"type":"PayloadMessage","message":{"tasks":[{"arn":"arn"}]}})");
  EXPECT_EQ(p.tasks->front().arn, "arn");  // TestPayloadHandlerCalled
  EXPECT_EQ(decode_as<CloseMessage>(R"({"type":"CloseMessage","message":{"message":""}})").message, "");
}

TEST_F(DecodeTest, MalformedFramesAreTypedErrors) {
  EXPECT_EQ(decode_error("not json").code, DecodeErrc::undecodable);
  EXPECT_EQ(decode_error("[1,2]").code, DecodeErrc::undecodable);
  EXPECT_EQ(decode_error(R"({"type":"HeartbeatMessage","message":{"messageId":"x")").code,
            DecodeErrc::undecodable);
  EXPECT_EQ(decode_error(R"({"message":{}})").code, DecodeErrc::undecodable);
  EXPECT_EQ(decode_error(R"({"type":"","message":{}})").code, DecodeErrc::undecodable);
  EXPECT_EQ(decode_error(R"({"type":7,"message":{}})").code, DecodeErrc::undecodable);
  auto unknown = decode_error(R"({"type":"PollRequest","message":{}})");
  EXPECT_EQ(unknown.code, DecodeErrc::unrecognized_type);
  EXPECT_EQ(unknown.message, "Could not recognize given argument as a valid type: PollRequest");
  EXPECT_EQ(decode_error(R"({"type":"HeartbeatMessage"})").code, DecodeErrc::missing_message);
  EXPECT_EQ(decode_error(R"({"type":"HeartbeatMessage","message":"text"})").code, DecodeErrc::bad_member);
}

TEST_F(DecodeTest, WrongMemberTypesNameTheMember) {
  auto e =
      decode_error(R"({"type":"PayloadMessage","message":{"tasks":[{"containers":[{},{"cpu":"ten"}]}]}})");
  EXPECT_EQ(e.code, DecodeErrc::bad_member);
  EXPECT_EQ(e.message, "PayloadMessage: tasks[0].containers[1].cpu: expected an integer");
  EXPECT_EQ(decode_error(R"({"type":"PayloadMessage","message":{"seqNum":1.5}})").code,
            DecodeErrc::bad_member);
  EXPECT_EQ(decode_error(R"({"type":"PayloadMessage","message":{"seqNum":1e3}})").code,
            DecodeErrc::bad_member);
  EXPECT_EQ(decode_error(R"({"type":"PayloadMessage","message":{"seqNum":9223372036854775808}})").code,
            DecodeErrc::bad_member);
  EXPECT_EQ(decode_error(R"({"type":"HeartbeatMessage","message":{"healthy":"yes"}})").code,
            DecodeErrc::bad_member);
  EXPECT_EQ(decode_error(R"({"type":"PayloadMessage","message":{"tasks":{"arn":"x"}}})").code,
            DecodeErrc::bad_member);
  EXPECT_EQ(
      decode_as<PayloadMessage>(R"({"type":"PayloadMessage","message":{"seqNum":-9223372036854775808}})")
          .seqNum,
      INT64_MIN);
}

// A double member (Go float64) takes any JSON number: fractional, integral, beyond int64.
TEST_F(DecodeTest, DoubleMembersTakeEveryNumberForm) {
  const auto cpu = [&](std::string_view value) {
    const auto m = decode_as<PayloadMessage>(R"({"type":"PayloadMessage","message":{"tasks":[{"cpu":)" +
                                             std::string(value) + "}]}}");
    return m.tasks->at(0).cpu;
  };
  EXPECT_EQ(cpu("1.5"), 1.5);
  EXPECT_EQ(cpu("2"), 2.0);
  EXPECT_EQ(cpu("-3"), -3.0);
  EXPECT_EQ(cpu("1e3"), 1000.0);
  EXPECT_EQ(cpu("18446744073709551615"), 18446744073709551615.0);
  EXPECT_EQ(cpu("null"), std::nullopt);
  const auto e = decode_error(R"({"type":"PayloadMessage","message":{"tasks":[{"cpu":"1.5"}]}})");
  EXPECT_EQ(e.message, "PayloadMessage: tasks[0].cpu: expected a number");
  EXPECT_EQ(decode_error(R"({"type":"PayloadMessage","message":{"tasks":[{"cpu":true}]}})").code,
            DecodeErrc::bad_member);
}

TEST_F(DecodeTest, SingleKeyExceptionForm) {
  const auto e = decode_as<InvalidClusterException>(R"({"InvalidClusterException":"Invalid cluster"})");
  EXPECT_EQ(e.message, "Invalid cluster");
  EXPECT_EQ(decode_as<InactiveInstanceException>(R"({"InactiveInstanceException":"gone"})").message, "gone");
  // Only the six exceptions may use it, and only with a string value.
  EXPECT_EQ(decode_error(R"({"ErrorMessage":"x"})").code, DecodeErrc::undecodable);
  EXPECT_EQ(decode_error(R"({"InvalidClusterException":5})").code, DecodeErrc::undecodable);
  EXPECT_EQ(decode_error(R"({"InvalidClusterException":"a","other":"b"})").code, DecodeErrc::undecodable);
}

// Decoding into the message the previous frame left (what the ACS client does) gives exactly
// what decoding into a fresh message gives, whatever was there before.
TEST(AcsDecodeInto, EqualsAFreshDecodeFrameAfterFrame) {
  const std::vector<std::string> frames = {
      // two tasks, every kind of member
      R"({"type":"PayloadMessage","message":{"messageId":"m1","seqNum":1,"tasks":[
          {"arn":"t1","family":"web","cpu":1.5,"containers":[
             {"name":"a","image":"registry.example.com/team/app:v1.2.3","command":["run","--port","8080"],
              "environment":{"STAGE":"prod","REGION":"us-west-2","LONG_VALUE_NAME_X":"a value longer than fifteen"},
              "portMappings":[{"containerPort":80,"hostPort":0,"protocol":"tcp"},{"containerPort":443}],
              "essential":true,"memory":256}],
           "roleCredentials":{"credentialsId":"c1","roleArn":"arn:aws:iam::1:role/r","expiration":"2030-01-01T00:00:00Z"}},
          {"arn":"t2","containers":[{"name":"b"},{"name":"c","links":["x","y"]}]}]}})",
      // one task: the second is gone; members absent, null, null elements, emptier values
      R"({"type":"PayloadMessage","message":{"messageId":"m2","tasks":[
          {"arn":"t3","family":null,"containers":[
             {"name":"a","command":["x"],"environment":{"REGION":"eu-west-1","NEW":"1"},
              "portMappings":[null,{"hostPort":8080}],"essential":null}],
           "roleCredentials":null}]}})",
      // repeated keys (the last wins, an object replaces the earlier one), case-insensitive keys
      R"({"type":"PayloadMessage","message":{"messageId":"m3","MessageID":"ignored","tasks":[
          {"arn":"t4","containers":[{"name":"a","environment":{"K":"1","K":"2"},"environment":{"J":"3"}}],
           "roleCredentials":{"credentialsId":"c2","roleArn":"r"},"roleCredentials":{"credentialsId":"c3"}},
          {"ARN":"t5","Containers":[{"NAME":"d"}]}]}})",
      R"({"type":"PayloadMessage","message":{"tasks":[]}})",
      R"({"type":"HeartbeatMessage","message":{"healthy":true,"messageId":"hb"}})",
      R"({"type":"PayloadMessage","message":{"messageId":"m4","tasks":[{"arn":"t6","containers":[{"name":"e"}]}]}})",
      R"({"InactiveInstanceException":"Container instance is inactive"})",
      R"({"type":"PayloadMessage","message":null})",
      R"({"type":"AttachTaskNetworkInterfacesMessage","message":{"messageId":"1","elasticNetworkInterfaces":[
          {"ec2Id":"eni-1","interfaceVethProperties":{"peerInterface":"v"},"ipv4Addresses":[{"primary":true,"privateAddress":"10.0.0.2"}]}]}})",
      R"({"type":"AttachTaskNetworkInterfacesMessage","message":{"messageId":"2","elasticNetworkInterfaces":[
          {"ec2Id":"eni-2","interfaceVlanProperties":{"vlanId":"7"},"ipv6Addresses":[{"address":"::1"}]}]}})",
  };
  Decoder fresh_decoder, decoder;
  Message reused;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    auto fresh = fresh_decoder.decode(frames[i]);
    ASSERT_TRUE(fresh) << i << ": " << fresh.error().message;
    auto into = decoder.decode_into(frames[i], reused);
    ASSERT_TRUE(into) << i << ": " << into.error().message;
    EXPECT_EQ(reused, *fresh) << "frame " << i << ": " << encode(reused) << "\n vs " << encode(*fresh);
  }
}

// A map decoded in place over one with the same keys only has its values overwritten; every
// other case (a key more or less, a repeated or null key, a value of the wrong type) must still
// give what a fresh decode gives.
TEST(AcsDecodeInto, MapsDecodedOverMapsWithOtherOrFewerKeys) {
  const std::vector<std::string> environments = {
      R"({"A":"1","B":"2"})",
      R"({"B":"3","A":"4"})",             // the same keys in another order
      R"({"A":"5","A":"6"})",             // as many keys, but one repeated: B goes
      R"({"A":"7","B":"8"})",             // B back
      R"({"A":"9","B":null})",            // a null value is no entry
      R"({"A":"10","C":"11"})",           // as many keys, one of them new
      R"({"C":"12","A":"13","D":"14"})",  // a key more
      R"({})",
      R"({"E":"15"})",
      R"({"E":16})",  // the wrong type: an error naming the key
      R"({"E":"17"})",
  };
  Decoder fresh_decoder, decoder;
  Message reused;
  for (std::size_t i = 0; i < environments.size(); ++i) {
    const std::string frame =
        R"({"type":"PayloadMessage","message":{"tasks":[{"containers":[{"environment":)" + environments[i] +
        "}]}]}}";
    auto fresh = fresh_decoder.decode(frame);
    auto into = decoder.decode_into(frame, reused);
    ASSERT_EQ(bool(fresh), bool(into)) << i;
    if (!fresh) {
      EXPECT_EQ(into.error().message, fresh.error().message);
      EXPECT_EQ(fresh.error().message,
                "PayloadMessage: tasks[0].containers[0].environment.E: expected a string");
      continue;
    }
    EXPECT_EQ(reused, *fresh) << "frame " << i << ": " << encode(reused) << "\n vs " << encode(*fresh);
  }
}

TEST(AcsDecodeInto, AFailedDecodeLeavesAMessageTheNextFrameFullyReplaces) {
  Decoder decoder;
  Message reused;
  const std::string good =
      R"({"type":"PayloadMessage","message":{"messageId":"m1","tasks":[{"arn":"t1","containers":[{"name":"a","cpu":1}]}]}})";
  ASSERT_TRUE(decoder.decode_into(good, reused));
  auto bad = decoder.decode_into(
      R"({"type":"PayloadMessage","message":{"messageId":"m2","tasks":[{"arn":"t2","containers":[{"name":"b","cpu":"x"}]}]}})",
      reused);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "PayloadMessage: tasks[0].containers[0].cpu: expected an integer");
  const std::string other = R"({"type":"PayloadMessage","message":{"tasks":[{"containers":[{}]}]}})";
  ASSERT_TRUE(decoder.decode_into(other, reused));
  EXPECT_EQ(reused, *Decoder().decode(other));
}

TEST(AcsDecodeInto, ReusesTheStorageOfTheSameKindOfMessage) {
  Decoder decoder;
  Message reused;
  const auto frame = [](std::string_view image) {
    return std::string(R"({"type":"PayloadMessage","message":{"tasks":[{"containers":[{"image":")") +
           std::string(image) + R"(","environment":{"KEY":"a value longer than fifteen bytes"}}]}]}})";
  };
  ASSERT_TRUE(decoder.decode_into(frame("registry.example.com/app:v1"), reused));
  const auto& first = std::get<PayloadMessage>(reused).tasks->at(0);
  const Task* task = &first;
  const char* image = first.containers->at(0).image->data();
  const char* env_value = first.containers->at(0).environment->at("KEY").data();
  ASSERT_TRUE(decoder.decode_into(frame("registry.example.com/app:v2"), reused));
  const auto& second = std::get<PayloadMessage>(reused).tasks->at(0);
  EXPECT_EQ(&second, task);                                  // the same vector storage
  EXPECT_EQ(second.containers->at(0).image->data(), image);  // the same string buffer
  EXPECT_EQ(*second.containers->at(0).image, "registry.example.com/app:v2");
  EXPECT_EQ(second.containers->at(0).environment->at("KEY").data(), env_value);  // the same map node
}

TEST(AcsEncode, AgentMessagesAsInAppendixB) {
  HeartbeatAckRequest hb;
  hb.messageId = "hb-1";
  EXPECT_EQ(encode(hb), R"({"type":"HeartbeatAckRequest","message":{"messageId":"hb-1"}})");
  EXPECT_EQ(encode(HeartbeatAckRequest{}), R"({"type":"HeartbeatAckRequest","message":{}})");
  AckRequest ack;
  ack.cluster = "c";
  ack.containerInstance = "ci";
  ack.messageId = "m-1";
  EXPECT_EQ(encode(ack),
            R"({"type":"AckRequest","message":{"cluster":"c","containerInstance":"ci","messageId":"m-1"}})");
  IAMRoleCredentialsAckRequest creds;
  creds.messageId = "m-1";
  creds.expiration = "2030-01-01T00:00:00Z";
  creds.credentialsId = "cred-1";
  EXPECT_EQ(
      encode(creds),
      R"({"type":"IAMRoleCredentialsAckRequest","message":{"credentialsId":"cred-1","expiration":"2030-01-01T00:00:00Z","messageId":"m-1"}})");
  TaskStopVerificationMessage v;
  v.messageId = "tm-1";
  TaskIdentifier t;
  t.desiredStatus = "STOPPED";
  t.taskArn = "t9";
  t.taskClusterArn = "c";
  v.stopCandidates = std::vector<TaskIdentifier>{t};
  EXPECT_EQ(
      encode(v),
      R"({"type":"TaskStopVerificationMessage","message":{"messageId":"tm-1","stopCandidates":[{"desiredStatus":"STOPPED","taskArn":"t9","taskClusterArn":"c"}]}})");
  NackRequest n;
  n.messageId = "su-1";
  n.reason = "Updates are disabled";
  EXPECT_EQ(encode(n),
            R"({"type":"NackRequest","message":{"messageId":"su-1","reason":"Updates are disabled"}})");
  AckRequest empty_id;
  empty_id.messageId = "";  // a present empty string is written
  EXPECT_EQ(encode(empty_id), R"({"type":"AckRequest","message":{"messageId":""}})");
}

TEST(AcsEncode, EscapesAndRoundTripsEveryRecognizedType) {
  AckRequest tricky;
  tricky.messageId = "quote\" backslash\\ newline\n tab\t ctl\x01 utf8 \xe1\x88\xb4";
  const std::string json = encode(tricky);
  EXPECT_NE(json.find(R"(quote\" backslash\\ newline\n tab\t ctl\u0001 utf8 )"), std::string::npos) << json;
  Decoder d;
  auto back = d.decode(json);
  ASSERT_TRUE(back);
  EXPECT_EQ(std::get<AckRequest>(*back), tricky);
  // Every recognized type survives encode -> decode, down to nested shapes.
  PayloadMessage p;
  p.messageId = "m";
  Task task;
  task.arn = "t";
  task.cpu = 0.25;
  Container c;
  c.environment = StringMap::value_type{{"K", "V"}};
  c.restartPolicy = RestartPolicy{};
  c.restartPolicy->ignoredExitCodes = std::vector<std::int64_t>{0, 137};
  task.containers = std::vector<Container>{c};
  p.tasks = std::vector<Task>{task};
  Message messages[] = {p,
                        HeartbeatMessage{},
                        CloseMessage{},
                        NackRequest{},
                        TaskManifestMessage{},
                        InactiveInstanceException{}};
  for (const Message& m : messages) {
    auto r = d.decode(encode(m));
    ASSERT_TRUE(r) << encode(m);
    EXPECT_EQ(*r, m) << encode(m);
  }
  EXPECT_TRUE(is_recognized_type("TaskStopVerificationAck"));
  EXPECT_FALSE(is_recognized_type("PollRequest"));  // TestMakeUnrecognizedRequest: only the 23 can be sent
  EXPECT_EQ(std::variant_size_v<Message>, 23u);
}

// §7.4: typed errors from an upgrade rejection body.
TEST(AcsErrors, FromRejectionBodies) {
  Decoder d;
  const Error cluster = error_from_rejection(R"({"InvalidClusterException":"Invalid cluster"})", d);
  EXPECT_EQ(cluster.message, "InvalidClusterException: Invalid cluster");
  EXPECT_EQ(cluster.code, AcsErrc::invalid_cluster);
  EXPECT_FALSE(is_retriable(cluster));
  const Error instance = error_from_rejection(
      R"({"type":"InvalidInstanceException","message":{"message":"Invalid instance"}})", d);
  EXPECT_EQ(instance.message, "InvalidInstanceException: Invalid instance");
  EXPECT_FALSE(is_retriable(instance));
  const Error server = error_from_rejection(R"({"type":"ServerException","message":null})", d);
  EXPECT_EQ(server.message, "ServerException: null");
  EXPECT_TRUE(is_retriable(server));
  const Error other = error_from_rejection(R"({"type":"ErrorMessage","message":{"message":"x"}})", d);
  EXPECT_TRUE(other.message.starts_with("ACSError: Unknown error")) << other.message;
  EXPECT_TRUE(is_retriable(other));
  const Error generic = error_from_rejection("generic error", d);
  EXPECT_TRUE(generic.message.starts_with("ACSError: ")) << generic.message;
  EXPECT_TRUE(is_retriable(generic));
  const Error badly_typed =
      error_from_rejection(R"({"type":"ServerException","message":{"message":123}})", d);
  EXPECT_TRUE(is_retriable(badly_typed));
  const Error inactive =
      error_from_rejection(R"({"InactiveInstanceException":"Container instance is inactive"})", d);
  EXPECT_TRUE(is_inactive_instance(inactive));
  EXPECT_FALSE(is_retriable(inactive));
  EXPECT_TRUE(is_inactive_instance(make_error(errc::make_error_code(errc::io_error),
                                              "websocket: close 4000: InactiveInstanceException: bye")));
  EXPECT_FALSE(is_inactive_instance(make_error(acs::AcsErrc::reconnect_now, "EOF")));
}

}  // namespace
}  // namespace ecs::acs
