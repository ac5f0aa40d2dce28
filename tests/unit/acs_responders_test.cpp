// The responders (acs-protocol.md §5, §7.2) against a fake client and in-memory collaborators.
#include <gtest/gtest.h>

#include "acs/responders/eni_validation.h"
#include "acs/responders/responder_set.h"
#include "support/acs_doubles.h"
#include "support/fake_acs_connection.h"
#include "support/run.h"

namespace ecs::acs {
namespace {

using credentials::InMemoryCredentialsStore;
using test::InMemoryManifestMessageId;
using test::InMemorySequenceNumber;
using test::RecordingEniHandler;
using test::RecordingResourceHandler;
using test::StaticDoctor;

using test::FakeConnection;

class ResponderTest : public ::testing::Test {
 protected:
  // Delivers `m` on a fresh fake connection after `register_fn` registered the responders.
  template <class RegisterFn>
  std::shared_ptr<FakeConnection> deliver(const Message& m, RegisterFn register_fn) {
    auto client = std::make_shared<FakeConnection>(io.get_executor());
    register_fn(std::shared_ptr<Connection>(client));
    test::run(io, client->deliver(m));
    return client;
  }
  asio::io_context io;
  test::RecordingMetrics metrics;
};

std::string text(const Result<void>& r) { return r ? "" : r.error().message; }

// ---- payload ------------------------------------------------------------------------------
TEST(PayloadValidation, RejectsEachMissingFieldWithTheReferenceText) {
  EXPECT_EQ(text(validate_payload(nullptr)), "Message is empty");  // TestValidatePayloadMessageWithNilMessage
  PayloadMessage m;
  EXPECT_EQ(text(validate_payload(&m)), "Message ID is not set");
  m.messageId = "";
  EXPECT_EQ(text(validate_payload(&m)), "Message ID is not set");
  m.messageId = "id";
  EXPECT_EQ(text(validate_payload(&m)), "clusterArn is not set for message ID id");
  m.clusterArn = "";
  EXPECT_EQ(text(validate_payload(&m)), "clusterArn is not set for message ID id");
  m.clusterArn = "c";
  EXPECT_EQ(text(validate_payload(&m)), "containerInstanceArn is not set for message ID id");
  m.containerInstanceArn = "";
  EXPECT_EQ(text(validate_payload(&m)), "containerInstanceArn is not set for message ID id");
  m.containerInstanceArn = "ci";
  m.tasks = std::vector<Task>{Task{}};
  EXPECT_TRUE(validate_payload(&m));  // TestValidatePayloadMessageSuccess
}

TEST_F(ResponderTest, PayloadAckHappyPath) {
  InMemoryCredentialsStore store;
  InMemorySequenceNumber seq;
  test::FakePayloadHandler engine(store, seq);
  PayloadResponder responder(engine);
  PayloadMessage m;
  m.messageId = "123";
  m.clusterArn = "default";
  m.containerInstanceArn = "ci";
  m.seqNum = 5;
  Task t;
  t.arn = "t1";
  IAMRoleCredentials rc;
  rc.credentialsId = "cred-1";
  rc.expiration = "later";
  rc.secretAccessKey = "s";
  t.roleCredentials = rc;
  m.tasks = std::vector<Task>{t};
  auto c = deliver(m, [&](auto cl) { responder.register_on(cl); });
  const auto acks = c->sent_of<AckRequest>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].messageId, "123");
  EXPECT_EQ(acks[0].cluster, "default");
  EXPECT_EQ(acks[0].containerInstance, "ci");
  const auto cred_acks = c->sent_of<IAMRoleCredentialsAckRequest>();
  ASSERT_EQ(cred_acks.size(), 1u);
  EXPECT_EQ(cred_acks[0].messageId, "123");
  EXPECT_EQ(cred_acks[0].expiration, "later");
  EXPECT_EQ(cred_acks[0].credentialsId, "cred-1");
  EXPECT_EQ(c->sent.size(), 2u);  // two separate sends
  EXPECT_EQ(seq.latest(), 5);
}

TEST_F(ResponderTest, PayloadWithAnUnhandledTaskIsNotAcked) {
  InMemoryCredentialsStore store;
  InMemorySequenceNumber seq;
  test::FakePayloadHandler engine(store, seq);
  PayloadResponder responder(engine);
  PayloadMessage m;
  m.messageId = "123";
  m.clusterArn = "c";
  m.containerInstanceArn = "ci";
  m.tasks = std::vector<Task>{Task{}};  // no ARN: cannot be handled
  auto c = deliver(m, [&](auto cl) { responder.register_on(cl); });
  EXPECT_TRUE(c->sent.empty());
  PayloadMessage invalid;  // and an invalid payload is dropped
  EXPECT_TRUE(deliver(invalid, [&](auto cl) { responder.register_on(cl); })->sent.empty());
}

// ---- refresh credentials ------------------------------------------------------------------
IAMRoleCredentialsMessage refresh_message(const char* role) {
  IAMRoleCredentialsMessage m;
  m.messageId = "123";
  m.taskArn = "t1";
  m.roleType = role;
  IAMRoleCredentials rc;
  rc.credentialsId = "credsId";
  rc.roleArn = "r1";
  rc.accessKeyId = "newakid";
  rc.secretAccessKey = "newskid";
  rc.sessionToken = "newstkn";
  rc.expiration = "later";
  m.roleCredentials = rc;
  return m;
}

TEST(RefreshValidation, RejectsEachProblemWithTheReferenceText) {
  EXPECT_EQ(text(validate_refresh_credentials(nullptr)), "Message is empty");
  auto m = refresh_message("TaskApplication");
  EXPECT_TRUE(validate_refresh_credentials(&m));  // TestValidateRefreshMessageSuccess
  auto no_id = m;
  no_id.messageId = "";
  EXPECT_EQ(text(validate_refresh_credentials(&no_id)), "Message ID is not set");
  auto no_task = m;
  no_task.taskArn.reset();
  EXPECT_EQ(text(validate_refresh_credentials(&no_task)), "taskArn is not set for message ID 123");
  auto no_creds = m;
  no_creds.roleCredentials.reset();
  EXPECT_EQ(text(validate_refresh_credentials(&no_creds)), "roleCredentials is not set for message ID 123");
  auto no_creds_id = m;
  no_creds_id.roleCredentials->credentialsId = "";
  EXPECT_EQ(text(validate_refresh_credentials(&no_creds_id)),
            "roleCredentials ID not set for message ID 123");
  auto bad_role = m;
  bad_role.roleType = "Admin";
  EXPECT_EQ(text(validate_refresh_credentials(&bad_role)),
            "roleType \"Admin\" is invalid for message ID 123 with taskArn t1");
  auto no_role = m;
  no_role.roleType.reset();
  EXPECT_EQ(text(validate_refresh_credentials(&no_role)),
            "roleType \"\" is invalid for message ID 123 with taskArn t1");
}

class RecordingMetadata : public CredentialsMetadata {
 public:
  Result<void> set_task_role_credentials(const IAMRoleCredentialsMessage&) override {
    ++task_role;
    return result;
  }
  Result<void> set_execution_role_credentials(const IAMRoleCredentialsMessage&) override {
    ++execution_role;
    return result;
  }
  int task_role = 0;
  int execution_role = 0;
  Result<void> result;
};

TEST_F(ResponderTest, RefreshCredentialsAckHappyPath) {
  for (const char* role : {"TaskApplication", "TaskExecution"}) {
    InMemoryCredentialsStore store;
    RecordingMetadata metadata;
    RefreshCredentialsResponder responder(store, metadata, metrics);
    auto c = deliver(refresh_message(role), [&](auto cl) { responder.register_on(cl); });
    EXPECT_EQ(metadata.task_role, std::string(role) == "TaskApplication" ? 1 : 0) << role;
    EXPECT_EQ(metadata.execution_role, std::string(role) == "TaskExecution" ? 1 : 0) << role;
    const auto acks = c->sent_of<IAMRoleCredentialsAckRequest>();
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].messageId, "123");
    EXPECT_EQ(acks[0].credentialsId, "credsId");
    EXPECT_EQ(acks[0].expiration, "later");
    const auto stored = store.get_task_credentials("credsId");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->task_arn, "t1");
    EXPECT_EQ(stored->role_arn, "r1");
    EXPECT_EQ(stored->access_key_id, "newakid");
    EXPECT_EQ(stored->secret_access_key, "newskid");
    EXPECT_EQ(stored->session_token, "newstkn");
    EXPECT_EQ(stored->expiration, "later");
    EXPECT_EQ(stored->role_type, role);
  }
  EXPECT_EQ(metrics.count("CredentialsRefresh.Success"), 2);
}

TEST_F(ResponderTest, RefreshCredentialsNotAckedWhenMetadataFails) {
  InMemoryCredentialsStore store;
  RecordingMetadata metadata;
  metadata.result = make_error(errc::make_error_code(errc::no_such_process), "task not found");
  RefreshCredentialsResponder responder(store, metadata, metrics);
  auto c = deliver(refresh_message("TaskApplication"), [&](auto cl) { responder.register_on(cl); });
  EXPECT_TRUE(c->sent.empty());
  EXPECT_EQ(metrics.count("CredentialsRefresh.Failure"), 1);
  EXPECT_EQ(metrics.count("CredentialsRefresh.Success"), 0);
}

// ---- ENIs --------------------------------------------------------------------------------
ElasticNetworkInterface good_eni() {
  ElasticNetworkInterface e;
  e.ec2Id = "1";
  e.macAddress = "00:0a:95:9d:68:16";
  e.interfaceAssociationProtocol = "default";
  e.subnetGatewayIpv4Address = "192.168.1.1/24";
  IPv4AddressAssignment a;
  a.primary = true;
  a.privateAddress = "192.168.1.2";
  e.ipv4Addresses = std::vector<IPv4AddressAssignment>{a};
  return e;
}

AttachTaskNetworkInterfacesMessage task_eni_message() {
  AttachTaskNetworkInterfacesMessage m;
  m.messageId = "123";
  m.clusterArn = "default";
  m.containerInstanceArn = "ci";
  m.taskArn = "t";
  m.waitTimeoutMs = 1000;
  m.elasticNetworkInterfaces = std::vector<ElasticNetworkInterface>{good_eni()};
  return m;
}

TEST(TaskEniValidation, TheReferenceCasesAndTexts) {
  EXPECT_EQ(text(validate_attach_task_eni(nullptr)), "Message is empty");
  auto m = task_eni_message();
  EXPECT_TRUE(validate_attach_task_eni(&m));
  auto no_id = m;
  no_id.messageId.reset();
  EXPECT_EQ(text(validate_attach_task_eni(&no_id)), "Message ID is not set");
  auto no_cluster = m;
  no_cluster.clusterArn.reset();
  EXPECT_EQ(text(validate_attach_task_eni(&no_cluster)), "clusterArn is not set for message ID 123");
  auto no_ci = m;
  no_ci.containerInstanceArn.reset();
  EXPECT_EQ(text(validate_attach_task_eni(&no_ci)), "containerInstanceArn is not set for message ID 123");
  auto no_enis = m;
  no_enis.elasticNetworkInterfaces = std::vector<ElasticNetworkInterface>{};
  EXPECT_EQ(text(validate_attach_task_eni(&no_enis)), "No ENIs for message ID 123");
  auto two = m;
  two.elasticNetworkInterfaces->push_back(good_eni());
  EXPECT_TRUE(validate_attach_task_eni(&two));
  auto no_task = m;
  no_task.taskArn.reset();
  EXPECT_EQ(text(validate_attach_task_eni(&no_task)), "taskArn is not set for message ID 123");
  auto no_timeout = m;
  no_timeout.waitTimeoutMs.reset();
  EXPECT_EQ(text(validate_attach_task_eni(&no_timeout)), "Invalid timeout set for message ID 123");
  auto zero_timeout = m;
  zero_timeout.waitTimeoutMs = 0;
  EXPECT_EQ(text(validate_attach_task_eni(&zero_timeout)), "Invalid timeout set for message ID 123");
}

// Found by the acs_frames fuzzer: waitTimeoutMs 88888888881000 overflowed the nanoseconds of
// the steady clock (undefined behaviour). The wait is clamped to a week, and below to zero.
TEST(AttachmentExpiry, AHostileWaitIsClampedNotOverflowed) {
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(attachment_expiry(88888888881000, now), now + std::chrono::milliseconds(kMaxAttachmentWaitMs));
  EXPECT_EQ(attachment_expiry(INT64_MAX, now), now + std::chrono::milliseconds(kMaxAttachmentWaitMs));
  EXPECT_EQ(attachment_expiry(-5, now), now);
  EXPECT_EQ(attachment_expiry(INT64_MIN, now), now);
  EXPECT_EQ(attachment_expiry(1500, now), now + std::chrono::milliseconds(1500));
}

TEST(EniValidation, InvalidNetworkDetails) {
  auto with = [](auto change) {
    auto e = good_eni();
    change(e);
    return text(validate_eni(e));
  };
  EXPECT_EQ(with([](auto& e) { e.ipv4Addresses.reset(); }),
            "eni message validation: no ipv4 addresses in the message");
  EXPECT_EQ(with([](auto& e) { e.subnetGatewayIpv4Address.reset(); }),
            "eni message validation: no subnet gateway ipv4 address in the message");
  EXPECT_EQ(with([](auto& e) { e.subnetGatewayIpv4Address = "0.0.0.INVALID"; }),
            "eni message validation: invalid subnet gateway ipv4 address 0.0.0.INVALID");
  EXPECT_EQ(with([](auto& e) { e.macAddress.reset(); }),
            "eni message validation: empty eni mac address in the message");
  EXPECT_EQ(with([](auto& e) { e.macAddress = ""; }), "");  // only absence is rejected
  EXPECT_EQ(with([](auto& e) { e.ec2Id.reset(); }), "eni message validation: empty eni id in the message");
  EXPECT_EQ(with([](auto& e) { e.interfaceAssociationProtocol = "unsupported"; }),
            "invalid interface association protocol: unsupported");
  EXPECT_EQ(with([](auto& e) { e.interfaceAssociationProtocol = "tunnel"; }),
            "invalid interface association protocol: tunnel");
  EXPECT_EQ(with([](auto& e) { e.interfaceAssociationProtocol = "vlan"; }),
            "vlan interface properties missing");
  EXPECT_EQ(with([](auto& e) {
              e.ipv4Addresses.reset();
              e.ipv6Addresses = std::vector<IPv6AddressAssignment>{IPv6AddressAssignment{}};
            }),
            "eni message validation: no subnet gateway ipv6 address in the message");
  EXPECT_EQ(with([](auto& e) {
              e.ipv4Addresses.reset();
              e.ipv6Addresses = std::vector<IPv6AddressAssignment>{IPv6AddressAssignment{}};
              e.subnetGatewayIpv6Address = "2600::";
            }),
            "eni message validation: invalid subnet gateway ipv6 address 2600::");
}

TEST_F(ResponderTest, TaskEniAckHappyPath) {
  RecordingEniHandler handler;
  AttachTaskEniResponder responder(handler);
  auto m = task_eni_message();
  m.elasticNetworkInterfaces->push_back(good_eni());
  auto c = deliver(m, [&](auto cl) { responder.register_on(cl); });
  EXPECT_EQ(handler.attachments.size(), 2u);  // once per ENI
  EXPECT_EQ(handler.attachments[0].attachment_type, "task-eni");
  EXPECT_EQ(handler.attachments[0].task_arn, "t");
  const auto acks = c->sent_of<AckRequest>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].messageId, "123");
}

TEST_F(ResponderTest, InstanceEniValidationAndAck) {
  AttachInstanceNetworkInterfacesMessage m;
  EXPECT_EQ(text(validate_attach_instance_eni(nullptr)), "Message is empty");
  EXPECT_EQ(text(validate_attach_instance_eni(&m)), "Message ID is not set");
  m.messageId = "123";
  EXPECT_EQ(text(validate_attach_instance_eni(&m)), "clusterArn is not set for message ID 123");
  m.clusterArn = "default";
  EXPECT_EQ(text(validate_attach_instance_eni(&m)), "containerInstanceArn is not set for message ID 123");
  m.containerInstanceArn = "ci";
  EXPECT_EQ(text(validate_attach_instance_eni(&m)), "Invalid timeout set for message ID 123");
  m.waitTimeoutMs = 1000;
  EXPECT_EQ(text(validate_attach_instance_eni(&m)), "No ENIs for message ID 123");
  auto bad = good_eni();
  bad.ec2Id.reset();
  m.elasticNetworkInterfaces = std::vector<ElasticNetworkInterface>{good_eni(), bad};
  EXPECT_EQ(text(validate_attach_instance_eni(&m)), "eni message validation: empty eni id in the message");
  m.elasticNetworkInterfaces = std::vector<ElasticNetworkInterface>{good_eni(), good_eni()};
  EXPECT_TRUE(validate_attach_instance_eni(&m));
  RecordingEniHandler handler;
  AttachInstanceEniResponder responder(handler);
  auto c = deliver(m, [&](auto cl) { responder.register_on(cl); });
  ASSERT_EQ(handler.attachments.size(), 2u);
  EXPECT_EQ(handler.attachments[0].attachment_type, "instance-eni");
  EXPECT_EQ(c->sent_of<AckRequest>().size(), 1u);
}

// ---- heartbeat ----------------------------------------------------------------------------
TEST_F(ResponderTest, HeartbeatAcksAlwaysWithTheSameMessageId) {
  StaticDoctor doctor;
  HeartbeatResponder responder(doctor);
  HeartbeatMessage healthy;
  healthy.healthy = true;
  healthy.messageId = "X";
  auto sick = healthy;
  sick.healthy = false;
  HeartbeatMessage no_id;
  no_id.healthy = true;
  for (const HeartbeatMessage& m : {healthy, sick, no_id, HeartbeatMessage{}}) {
    auto c = deliver(m, [&](auto cl) { responder.register_on(cl); });
    const auto acks = c->sent_of<HeartbeatAckRequest>();
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].messageId, m.messageId);
  }
  EXPECT_EQ(doctor.runs, 4);
}

// ---- task manifest -------------------------------------------------------------------------
class ScriptedComparer : public TaskComparer {
 public:
  Result<std::vector<TaskIdentifier>> compare_running_tasks_with_manifest(
      const TaskManifestMessage&) override {
    ++calls;
    return candidates;
  }
  std::vector<TaskIdentifier> candidates;
  int calls = 0;
};

TEST_F(ResponderTest, ManifestAckHappyPathAndStaleManifest) {
  InMemorySequenceNumber seq;
  (void)seq.set_latest(10);
  InMemoryManifestMessageId manifest_id;
  ScriptedComparer comparer;
  TaskIdentifier candidate;
  candidate.taskArn = "t9";
  candidate.desiredStatus = "STOPPED";
  comparer.candidates = {candidate};
  TaskManifestResponder responder(seq, manifest_id, comparer, metrics);
  TaskManifestMessage m;
  m.messageId = "123";
  m.clusterArn = "c";
  m.containerInstanceArn = "ci";
  m.timeline = 15;
  auto c = deliver(m, [&](auto cl) { responder.register_on(cl); });
  EXPECT_EQ(manifest_id.get(), "123");
  EXPECT_EQ(seq.latest(), 15);
  EXPECT_EQ(c->sent_of<AckRequest>().at(0).messageId, "123");
  const auto v = c->sent_of<TaskStopVerificationMessage>();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].messageId, "123");
  EXPECT_EQ(v[0].stopCandidates, std::vector<TaskIdentifier>{candidate});
  EXPECT_EQ(metrics.count("TaskManifestResponder.Duration"), 1);
  // TestTaskManifestStaleMessage: timeline 10 <= 15 is discarded without any call.
  m.messageId = "456";
  m.timeline = 10;
  auto stale = deliver(m, [&](auto cl) { responder.register_on(cl); });
  EXPECT_TRUE(stale->sent.empty());
  EXPECT_EQ(manifest_id.get(), "123");
  EXPECT_EQ(comparer.calls, 1);
  // No candidates: only the ack.
  comparer.candidates.clear();
  m.messageId = "789";
  m.timeline = 20;
  auto quiet = deliver(m, [&](auto cl) { responder.register_on(cl); });
  EXPECT_EQ(quiet->sent.size(), 1u);
  EXPECT_EQ(quiet->sent_of<AckRequest>().size(), 1u);
}

// ---- stop verification ack --------------------------------------------------------------
class RecordingStopper : public TaskStopper {
 public:
  Result<void> stop_task(const std::string& arn) override {
    stopped.push_back(arn);
    return {};
  }
  std::vector<std::string> stopped;
};

TEST_F(ResponderTest, StopVerificationAckStopsTasksOnceForTheLatestManifest) {
  InMemoryManifestMessageId manifest_id;
  (void)manifest_id.set("123");
  RecordingStopper stopper;
  TaskStopVerificationAckResponder responder(manifest_id, stopper, metrics);
  TaskStopVerificationAck ack;
  ack.messageId = "123";
  TaskIdentifier t1, t2;
  t1.taskArn = "t1";
  t2.taskArn = "t2";
  ack.stopTasks = std::vector<TaskIdentifier>{t1, t2};
  auto c = deliver(ack, [&](auto cl) { responder.register_on(cl); });
  EXPECT_EQ(stopper.stopped, (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ(manifest_id.get(), "");
  EXPECT_EQ(metrics.count("TaskStopVeificationACKResponder.TaskStopped"), 2);
  EXPECT_TRUE(c->sent.empty());  // nothing is sent back
  // The same ack again, or one for another manifest, does nothing.
  deliver(ack, [&](auto cl) { responder.register_on(cl); });
  (void)manifest_id.set("000");
  deliver(ack, [&](auto cl) { responder.register_on(cl); });
  EXPECT_EQ(stopper.stopped.size(), 2u);
  EXPECT_EQ(manifest_id.get(), "000");
}

// ---- attach resource ---------------------------------------------------------------------
ConfirmAttachmentMessage resource_message(std::vector<std::pair<std::string, std::string>> props,
                                          std::optional<std::string> type = std::nullopt) {
  ConfirmAttachmentMessage m;
  m.messageId = "123";
  m.clusterArn = "arn:aws:ecs:us-west-2:123456789012:cluster/default";
  m.containerInstanceArn = "arn:aws:ecs:us-west-2:123456789012:container-instance/x";
  m.taskArn = "arn:aws:ecs:us-west-2:123456789012:task/t";
  Attachment a;
  a.attachmentArn = "arn:aws:ecs:us-west-2:123456789012:attachment/a";
  a.attachmentType = type;
  std::vector<AttachmentProperty> list;
  for (auto& [k, v] : props) {
    AttachmentProperty p;
    p.name = k;
    p.value = v;
    list.push_back(p);
  }
  a.attachmentProperties = list;
  m.attachment = a;
  return m;
}

const std::vector<std::pair<std::string, std::string>> kEphemeral = {{"resourceType", "EphemeralStorage"},
                                                                     {"volumeID", "v"},
                                                                     {"deviceName", "/dev/x"},
                                                                     {"volumeSizeInGiB", "10"},
                                                                     {"requestedSizeInGiB", "10"},
                                                                     {"resourceID", "r"}};
const std::vector<std::pair<std::string, std::string>> kEbs = {{"volumeId", "v"},
                                                               {"volumeSizeGib", "1"},
                                                               {"deviceName", "/dev/x"},
                                                               {"sourceVolumeHostPath", "/h"},
                                                               {"volumeName", "n"}};

TEST(AttachResourceValidation, TheReferenceCases) {
  EXPECT_EQ(text(validate_attach_resource(nullptr)), "Message is empty");
  auto ok = resource_message(kEphemeral);
  EXPECT_TRUE(validate_attach_resource(&ok));
  auto no_attachment = ok;
  no_attachment.attachment.reset();
  EXPECT_EQ(text(validate_attach_resource(&no_attachment)), "No resource attachment for message ID 123");
  auto no_id = ok;
  no_id.messageId = "";
  EXPECT_EQ(text(validate_attach_resource(&no_id)), "Message ID is not set");
  auto bad_cluster = ok;
  bad_cluster.clusterArn = "";
  EXPECT_EQ(text(validate_attach_resource(&bad_cluster)), "Invalid clusterArn specified for message ID 123");
  auto bad_ci = ok;
  bad_ci.containerInstanceArn = "";
  EXPECT_EQ(text(validate_attach_resource(&bad_ci)),
            "Invalid containerInstanceArn specified for message ID 123");
  auto bad_arn = ok;
  bad_arn.attachment->attachmentArn = "incorrectArn";
  EXPECT_FALSE(validate_attach_resource(&bad_arn));
  EXPECT_FALSE(is_arn("incorrectArn"));
  EXPECT_TRUE(is_arn("arn:aws:ecs:us-west-2:123:attachment/a"));
}

TEST(AttachResourceValidation, AttachmentPropertiesByType) {
  auto check = [](std::vector<std::pair<std::string, std::string>> props, std::optional<std::string> type) {
    auto m = resource_message(std::move(props), std::move(type));
    return validate_attachment(*m.attachment);
  };
  EXPECT_TRUE(check(kEphemeral, std::nullopt));
  for (std::size_t i = 0; i < kEphemeral.size(); ++i) {  // each property blank (name or value) fails
    auto blank_value = kEphemeral;
    blank_value[i].second = "";
    EXPECT_FALSE(check(blank_value, std::nullopt)) << i;
    auto blank_name = kEphemeral;
    blank_name[i].first = "";
    EXPECT_FALSE(check(blank_name, std::nullopt)) << i;
  }
  auto renamed = kEphemeral;
  renamed[0].first = "resourceTypo";
  EXPECT_FALSE(check(renamed, std::nullopt));
  EXPECT_TRUE(check(kEphemeral, "invalid-type"));  // unknown types follow the legacy rules
  EXPECT_TRUE(check(kEbs, "amazonebs"));
  for (const char* p : {"volumeId", "volumeSizeGib", "deviceName", "sourceVolumeHostPath", "volumeName"}) {
    auto missing = kEbs;
    std::erase_if(missing, [&](const auto& kv) { return kv.first == p; });
    auto r = check(missing, "amazonebs");
    ASSERT_FALSE(r) << p;
    EXPECT_NE(r.error().message.find(std::string("property ") + p + " not found"), std::string::npos);
  }
  for (const char* fs : {"xfs", "ext2", "ext3", "ext4", "ntfs"}) {
    auto with_fs = kEbs;
    with_fs.emplace_back("fileSystem", fs);
    EXPECT_TRUE(check(with_fs, "amazonebs")) << fs;
  }
  auto odd_fs = kEbs;
  odd_fs.emplace_back("fileSystem", "SomeFilesystemType");
  EXPECT_FALSE(check(odd_fs, "amazonebs"));
  auto empty_fs = kEbs;
  empty_fs.emplace_back("fileSystem", "");
  EXPECT_FALSE(check(empty_fs, "amazonebs"));
}

TEST_F(ResponderTest, ResourceAckHappyPath) {
  RecordingResourceHandler handler;
  AttachResourceResponder responder(handler, metrics);
  auto c = deliver(resource_message(kEphemeral), [&](auto cl) { responder.register_on(cl); });
  EXPECT_EQ(metrics.count("ResourceAttachment.Validation"), 1);
  EXPECT_FALSE(metrics.events.back().second);
  ASSERT_EQ(handler.attachments.size(), 1u);
  EXPECT_EQ(handler.attachments[0].properties.at("resourceType"), "EphemeralStorage");
  EXPECT_EQ(c->sent_of<AckRequest>().at(0).messageId, "123");
}

// ---- updates -----------------------------------------------------------------------------
TEST_F(ResponderTest, UpdatesDisabledAreNacked) {
  UpdateResponder responder({}, nullptr, nullptr);
  StageUpdateMessage stage;
  stage.messageId = "su-1";
  stage.clusterArn = "c";
  auto c = deliver(stage, [&](auto cl) { responder.register_on(cl); });
  auto nacks = c->sent_of<NackRequest>();
  ASSERT_EQ(nacks.size(), 1u);
  EXPECT_EQ(nacks[0].reason, "Updates are disabled");
  EXPECT_EQ(nacks[0].messageId, "su-1");
  PerformUpdateMessage perform;
  perform.messageId = "pu-1";
  auto c2 = deliver(perform, [&](auto cl) { responder.register_on(cl); });
  EXPECT_EQ(c2->sent_of<NackRequest>().at(0).reason, "Updates are disabled");
}

}  // namespace
}  // namespace ecs::acs
