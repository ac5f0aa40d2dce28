// The ACS message model: every shape of the ACS service model (api-2.json, apiVersion
// 2014-11-13), with every member optional so that "absent" and "empty" stay distinguishable, as
// in the reference (all of its model fields are pointers). Member names are the wire names.
// Members are declared in alphabetical order, which is also the order they are written in.
//
// Each shape lists its members once through ECS_ACS_SHAPE; acs/codec.cpp walks that list to
// decode (Go encoding/json rules) and encode, and tests walk it to check the model against
// ../shared/testdata/acs/api-2.json.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace ecs::acs {

using String = std::optional<std::string>;
using Bool = std::optional<bool>;
using Int = std::optional<std::int64_t>;  // Integer, Long and their boxed/nullable forms
using Double = std::optional<double>;
using StringList = std::optional<std::vector<std::string>>;
using IntList = std::optional<std::vector<std::int64_t>>;
// std::less<>: found by std::string_view keys (the decoder looks frame keys up in place).
using StringMap = std::optional<std::map<std::string, std::string, std::less<>>>;
template <class T>
using List = std::optional<std::vector<T>>;
template <class T>
using Object = std::optional<T>;

template <class S, class M>
struct Member {
  std::string_view name;
  M S::*pointer;
};

// Reflection of a shape: its wire name and its members (name + member pointer).
#define ECS_ACS_EXPAND(x) x
#define ECS_ACS_FE_1(M, S, a) M(S, a)
#define ECS_ACS_FE_2(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_1(M, S, __VA_ARGS__))
#define ECS_ACS_FE_3(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_2(M, S, __VA_ARGS__))
#define ECS_ACS_FE_4(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_3(M, S, __VA_ARGS__))
#define ECS_ACS_FE_5(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_4(M, S, __VA_ARGS__))
#define ECS_ACS_FE_6(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_5(M, S, __VA_ARGS__))
#define ECS_ACS_FE_7(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_6(M, S, __VA_ARGS__))
#define ECS_ACS_FE_8(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_7(M, S, __VA_ARGS__))
#define ECS_ACS_FE_9(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_8(M, S, __VA_ARGS__))
#define ECS_ACS_FE_10(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_9(M, S, __VA_ARGS__))
#define ECS_ACS_FE_11(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_10(M, S, __VA_ARGS__))
#define ECS_ACS_FE_12(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_11(M, S, __VA_ARGS__))
#define ECS_ACS_FE_13(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_12(M, S, __VA_ARGS__))
#define ECS_ACS_FE_14(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_13(M, S, __VA_ARGS__))
#define ECS_ACS_FE_15(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_14(M, S, __VA_ARGS__))
#define ECS_ACS_FE_16(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_15(M, S, __VA_ARGS__))
#define ECS_ACS_FE_17(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_16(M, S, __VA_ARGS__))
#define ECS_ACS_FE_18(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_17(M, S, __VA_ARGS__))
#define ECS_ACS_FE_19(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_18(M, S, __VA_ARGS__))
#define ECS_ACS_FE_20(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_19(M, S, __VA_ARGS__))
#define ECS_ACS_FE_21(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_20(M, S, __VA_ARGS__))
#define ECS_ACS_FE_22(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_21(M, S, __VA_ARGS__))
#define ECS_ACS_FE_23(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_22(M, S, __VA_ARGS__))
#define ECS_ACS_FE_24(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_23(M, S, __VA_ARGS__))
#define ECS_ACS_FE_25(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_24(M, S, __VA_ARGS__))
#define ECS_ACS_FE_26(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_25(M, S, __VA_ARGS__))
#define ECS_ACS_FE_27(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_26(M, S, __VA_ARGS__))
#define ECS_ACS_FE_28(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_27(M, S, __VA_ARGS__))
#define ECS_ACS_FE_29(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_28(M, S, __VA_ARGS__))
#define ECS_ACS_FE_30(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_29(M, S, __VA_ARGS__))
#define ECS_ACS_FE_31(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_30(M, S, __VA_ARGS__))
#define ECS_ACS_FE_32(M, S, a, ...) M(S, a), ECS_ACS_EXPAND(ECS_ACS_FE_31(M, S, __VA_ARGS__))
#define ECS_ACS_FE_PICK(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, \
                        _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, NAME, ...) \
  NAME
#define ECS_ACS_FOR_EACH(M, S, ...)                                                                         \
  ECS_ACS_EXPAND(ECS_ACS_FE_PICK(__VA_ARGS__, ECS_ACS_FE_32, ECS_ACS_FE_31, ECS_ACS_FE_30, ECS_ACS_FE_29,   \
                                 ECS_ACS_FE_28, ECS_ACS_FE_27, ECS_ACS_FE_26, ECS_ACS_FE_25, ECS_ACS_FE_24, \
                                 ECS_ACS_FE_23, ECS_ACS_FE_22, ECS_ACS_FE_21, ECS_ACS_FE_20, ECS_ACS_FE_19, \
                                 ECS_ACS_FE_18, ECS_ACS_FE_17, ECS_ACS_FE_16, ECS_ACS_FE_15, ECS_ACS_FE_14, \
                                 ECS_ACS_FE_13, ECS_ACS_FE_12, ECS_ACS_FE_11, ECS_ACS_FE_10, ECS_ACS_FE_9,  \
                                 ECS_ACS_FE_8, ECS_ACS_FE_7, ECS_ACS_FE_6, ECS_ACS_FE_5, ECS_ACS_FE_4,      \
                                 ECS_ACS_FE_3, ECS_ACS_FE_2, ECS_ACS_FE_1)(M, S, __VA_ARGS__))
#define ECS_ACS_MEMBER(S, m) \
  ::ecs::acs::Member<S, decltype(S::m)> { #m, &S::m }
#define ECS_ACS_SHAPE(S, ...)                                                 \
  static constexpr std::string_view kShape = #S;                              \
  static constexpr auto members() {                                           \
    return std::make_tuple(ECS_ACS_FOR_EACH(ECS_ACS_MEMBER, S, __VA_ARGS__)); \
  }                                                                           \
  bool operator==(const S&) const = default;

struct ASMAuthData {
  String credentialsParameter;
  String region;
  ECS_ACS_SHAPE(ASMAuthData, credentialsParameter, region)
};

struct AccessDeniedException {
  String message;
  ECS_ACS_SHAPE(AccessDeniedException, message)
};

struct AckRequest {
  String cluster;
  String containerInstance;
  String messageId;
  ECS_ACS_SHAPE(AckRequest, cluster, containerInstance, messageId)
};

struct EncodedString {
  String encoding;
  String value;
  ECS_ACS_SHAPE(EncodedString, encoding, value)
};

struct Association {
  StringList containers;
  Object<EncodedString> content;
  String name;
  String type;
  ECS_ACS_SHAPE(Association, containers, content, name, type)
};

struct IPv4AddressAssignment {
  Bool primary;
  String privateAddress;
  ECS_ACS_SHAPE(IPv4AddressAssignment, primary, privateAddress)
};

struct IPv6AddressAssignment {
  String address;
  Bool primary;
  ECS_ACS_SHAPE(IPv6AddressAssignment, address, primary)
};

struct NetworkInterfaceTunnelProperties {
  String interfaceIpAddress;
  String tunnelId;
  ECS_ACS_SHAPE(NetworkInterfaceTunnelProperties, interfaceIpAddress, tunnelId)
};

struct NetworkInterfaceVethProperties {
  String peerInterface;
  ECS_ACS_SHAPE(NetworkInterfaceVethProperties, peerInterface)
};

struct NetworkInterfaceVlanProperties {
  String trunkInterfaceMacAddress;
  String vlanId;
  ECS_ACS_SHAPE(NetworkInterfaceVlanProperties, trunkInterfaceMacAddress, vlanId)
};

struct ElasticNetworkInterface {
  String attachmentArn;
  StringList domainName;
  StringList domainNameServers;
  String ec2Id;
  Int index;
  String interfaceAssociationProtocol;
  Object<NetworkInterfaceTunnelProperties> interfaceTunnelProperties;
  Object<NetworkInterfaceVethProperties> interfaceVethProperties;
  Object<NetworkInterfaceVlanProperties> interfaceVlanProperties;
  List<IPv4AddressAssignment> ipv4Addresses;
  List<IPv6AddressAssignment> ipv6Addresses;
  String macAddress;
  String name;
  String privateDnsName;
  String subnetGatewayIpv4Address;
  String subnetGatewayIpv6Address;
  ECS_ACS_SHAPE(ElasticNetworkInterface, attachmentArn, domainName, domainNameServers, ec2Id, index,
                interfaceAssociationProtocol, interfaceTunnelProperties, interfaceVethProperties,
                interfaceVlanProperties, ipv4Addresses, ipv6Addresses, macAddress, name, privateDnsName,
                subnetGatewayIpv4Address, subnetGatewayIpv6Address)
};

struct AttachInstanceNetworkInterfacesMessage {
  String clusterArn;
  String containerInstanceArn;
  List<ElasticNetworkInterface> elasticNetworkInterfaces;
  Int generatedAt;
  String messageId;
  Int waitTimeoutMs;
  ECS_ACS_SHAPE(AttachInstanceNetworkInterfacesMessage, clusterArn, containerInstanceArn,
                elasticNetworkInterfaces, generatedAt, messageId, waitTimeoutMs)
};

struct AttachTaskNetworkInterfacesMessage {
  String clusterArn;
  String containerInstanceArn;
  List<ElasticNetworkInterface> elasticNetworkInterfaces;
  Int generatedAt;
  String messageId;
  String taskArn;
  String taskClusterArn;
  Int waitTimeoutMs;
  ECS_ACS_SHAPE(AttachTaskNetworkInterfacesMessage, clusterArn, containerInstanceArn,
                elasticNetworkInterfaces, generatedAt, messageId, taskArn, taskClusterArn, waitTimeoutMs)
};

struct AttachmentProperty {
  String name;
  String value;
  ECS_ACS_SHAPE(AttachmentProperty, name, value)
};

struct Attachment {
  String attachmentArn;
  List<AttachmentProperty> attachmentProperties;
  String attachmentType;
  ECS_ACS_SHAPE(Attachment, attachmentArn, attachmentProperties, attachmentType)
};

struct BadRequestException {
  String message;
  ECS_ACS_SHAPE(BadRequestException, message)
};

struct CloseMessage {
  String message;
  ECS_ACS_SHAPE(CloseMessage, message)
};

struct ConfirmAttachmentMessage {
  Object<Attachment> attachment;
  String clusterArn;
  String containerInstanceArn;
  Int generatedAt;
  String messageId;
  String taskArn;
  String taskClusterArn;
  Int waitTimeoutMs;
  ECS_ACS_SHAPE(ConfirmAttachmentMessage, attachment, clusterArn, containerInstanceArn, generatedAt,
                messageId, taskArn, taskClusterArn, waitTimeoutMs)
};

struct ContainerDependency {
  String condition;
  String containerName;
  ECS_ACS_SHAPE(ContainerDependency, condition, containerName)
};

struct DockerConfig {
  String config;
  String hostConfig;
  String version;
  ECS_ACS_SHAPE(DockerConfig, config, hostConfig, version)
};

struct EnvironmentFile {
  String type;
  String value;
  ECS_ACS_SHAPE(EnvironmentFile, type, value)
};

struct FirelensConfiguration {
  StringMap options;
  String type;
  ECS_ACS_SHAPE(FirelensConfiguration, options, type)
};

struct Device {
  String containerPath;
  String hostPath;
  StringList permissions;
  ECS_ACS_SHAPE(Device, containerPath, hostPath, permissions)
};

struct KernelCapabilities {
  StringList add;
  StringList drop;
  ECS_ACS_SHAPE(KernelCapabilities, add, drop)
};

struct LinuxParameters {
  Object<KernelCapabilities> capabilities;
  List<Device> devices;
  Bool initProcessEnabled;
  Int sharedMemorySize;
  ECS_ACS_SHAPE(LinuxParameters, capabilities, devices, initProcessEnabled, sharedMemorySize)
};

struct ManagedAgent {
  String name;
  StringMap properties;
  ECS_ACS_SHAPE(ManagedAgent, name, properties)
};

struct MountPoint {
  String containerPath;
  Bool readOnly;
  String sourceVolume;
  ECS_ACS_SHAPE(MountPoint, containerPath, readOnly, sourceVolume)
};

struct PortMapping {
  Int containerPort;
  String containerPortRange;
  Int hostPort;
  String protocol;
  ECS_ACS_SHAPE(PortMapping, containerPort, containerPortRange, hostPort, protocol)
};

struct ECRAuthData {
  String endpointOverride;
  String region;
  String registryId;
  Bool useExecutionRole;
  ECS_ACS_SHAPE(ECRAuthData, endpointOverride, region, registryId, useExecutionRole)
};

struct RegistryAuthenticationData {
  Object<ASMAuthData> asmAuthData;
  Object<ECRAuthData> ecrAuthData;
  String type;
  ECS_ACS_SHAPE(RegistryAuthenticationData, asmAuthData, ecrAuthData, type)
};

struct RestartPolicy {
  Bool enabled;
  IntList ignoredExitCodes;
  Int restartAttemptPeriod;
  ECS_ACS_SHAPE(RestartPolicy, enabled, ignoredExitCodes, restartAttemptPeriod)
};

struct Secret {
  String containerPath;
  String name;
  String provider;
  String region;
  String target;
  String type;
  String valueFrom;
  ECS_ACS_SHAPE(Secret, containerPath, name, provider, region, target, type, valueFrom)
};

struct VolumeFrom {
  Bool readOnly;
  String sourceContainer;
  ECS_ACS_SHAPE(VolumeFrom, readOnly, sourceContainer)
};

struct Container {
  StringList command;
  String containerArn;
  Int cpu;
  StringList credentialSpecs;
  List<ContainerDependency> dependsOn;
  Object<DockerConfig> dockerConfig;
  StringList entryPoint;
  StringMap environment;
  List<EnvironmentFile> environmentFiles;
  Bool essential;
  Object<FirelensConfiguration> firelensConfiguration;
  String healthCheckType;
  String image;
  StringList links;
  Object<LinuxParameters> linuxParameters;
  String logsAuthStrategy;
  List<ManagedAgent> managedAgents;
  Int memory;
  List<MountPoint> mountPoints;
  String name;
  StringList networkInterfaceNames;
  String overrides;
  List<PortMapping> portMappings;
  Bool privileged;
  Object<RegistryAuthenticationData> registryAuthentication;
  Object<RestartPolicy> restartPolicy;
  List<Secret> secrets;
  Int startTimeout;
  Int stopTimeout;
  List<VolumeFrom> volumesFrom;
  ECS_ACS_SHAPE(Container, command, containerArn, cpu, credentialSpecs, dependsOn, dockerConfig, entryPoint,
                environment, environmentFiles, essential, firelensConfiguration, healthCheckType, image,
                links, linuxParameters, logsAuthStrategy, managedAgents, memory, mountPoints, name,
                networkInterfaceNames, overrides, portMappings, privileged, registryAuthentication,
                restartPolicy, secrets, startTimeout, stopTimeout, volumesFrom)
};

struct DockerVolumeConfiguration {
  Bool autoprovision;
  String driver;
  StringMap driverOpts;
  StringMap labels;
  String scope;
  ECS_ACS_SHAPE(DockerVolumeConfiguration, autoprovision, driver, driverOpts, labels, scope)
};

struct EBSVolumeConfiguration {
  Bool deleteOnTermination;
  String deviceName;
  String filesystemType;
  String volumeId;
  ECS_ACS_SHAPE(EBSVolumeConfiguration, deleteOnTermination, deviceName, filesystemType, volumeId)
};

struct EFSAuthorizationConfig {
  String accessPointId;
  String iam;
  ECS_ACS_SHAPE(EFSAuthorizationConfig, accessPointId, iam)
};

struct EFSVolumeConfiguration {
  Object<EFSAuthorizationConfig> authorizationConfig;
  String fileSystemId;
  String rootDirectory;
  String transitEncryption;
  Int transitEncryptionPort;
  ECS_ACS_SHAPE(EFSVolumeConfiguration, authorizationConfig, fileSystemId, rootDirectory, transitEncryption,
                transitEncryptionPort)
};

struct ErrorMessage {
  String message;
  ECS_ACS_SHAPE(ErrorMessage, message)
};

struct FSxWindowsFileServerAuthorizationConfig {
  String credentialsParameter;
  String domain;
  ECS_ACS_SHAPE(FSxWindowsFileServerAuthorizationConfig, credentialsParameter, domain)
};

struct FSxWindowsFileServerVolumeConfiguration {
  Object<FSxWindowsFileServerAuthorizationConfig> authorizationConfig;
  String fileSystemId;
  String rootDirectory;
  ECS_ACS_SHAPE(FSxWindowsFileServerVolumeConfiguration, authorizationConfig, fileSystemId, rootDirectory)
};

struct HeartbeatAckRequest {
  String messageId;
  ECS_ACS_SHAPE(HeartbeatAckRequest, messageId)
};

struct HeartbeatMessage {
  Bool healthy;
  String messageId;
  ECS_ACS_SHAPE(HeartbeatMessage, healthy, messageId)
};

struct HostVolumeProperties {
  String sourcePath;
  ECS_ACS_SHAPE(HostVolumeProperties, sourcePath)
};

struct IAMRoleCredentials {
  String accessKeyId;
  String credentialScope;
  String credentialsId;
  String expiration;
  String roleArn;
  String secretAccessKey;
  String sessionToken;
  ECS_ACS_SHAPE(IAMRoleCredentials, accessKeyId, credentialScope, credentialsId, expiration, roleArn,
                secretAccessKey, sessionToken)
};

struct IAMRoleCredentialsAckRequest {
  String credentialsId;
  String expiration;
  String messageId;
  ECS_ACS_SHAPE(IAMRoleCredentialsAckRequest, credentialsId, expiration, messageId)
};

struct IAMRoleCredentialsMessage {
  String messageId;
  Object<IAMRoleCredentials> roleCredentials;
  String roleType;
  String taskArn;
  String taskClusterArn;
  ECS_ACS_SHAPE(IAMRoleCredentialsMessage, messageId, roleCredentials, roleType, taskArn, taskClusterArn)
};

struct InactiveInstanceException {
  String message;
  ECS_ACS_SHAPE(InactiveInstanceException, message)
};

struct InvalidClusterException {
  String message;
  ECS_ACS_SHAPE(InvalidClusterException, message)
};

struct InvalidInstanceException {
  String message;
  ECS_ACS_SHAPE(InvalidInstanceException, message)
};

struct LogDriverVolumeConfiguration {
  String driver;
  ECS_ACS_SHAPE(LogDriverVolumeConfiguration, driver)
};

struct NackRequest {
  String cluster;
  String containerInstance;
  String messageId;
  String reason;
  ECS_ACS_SHAPE(NackRequest, cluster, containerInstance, messageId, reason)
};

struct ProxyConfiguration {
  String containerName;
  StringMap properties;
  String type;
  ECS_ACS_SHAPE(ProxyConfiguration, containerName, properties, type)
};

struct TrustedExecutionConfiguration {
  String isolationMode;
  ECS_ACS_SHAPE(TrustedExecutionConfiguration, isolationMode)
};

struct Volume {
  Object<DockerVolumeConfiguration> dockerVolumeConfiguration;
  Object<EBSVolumeConfiguration> ebsVolumeConfiguration;
  Object<EFSVolumeConfiguration> efsVolumeConfiguration;
  Object<FSxWindowsFileServerVolumeConfiguration> fsxWindowsFileServerVolumeConfiguration;
  Object<HostVolumeProperties> host;
  Object<LogDriverVolumeConfiguration> logDriverVolumeConfiguration;
  String name;
  String type;
  ECS_ACS_SHAPE(Volume, dockerVolumeConfiguration, ebsVolumeConfiguration, efsVolumeConfiguration,
                fsxWindowsFileServerVolumeConfiguration, host, logDriverVolumeConfiguration, name, type)
};

struct Task {
  String agentConfiguration;
  String arn;
  List<Association> associations;
  List<Attachment> attachments;
  List<Container> containers;
  Double cpu;
  String desiredStatus;
  List<ElasticNetworkInterface> elasticNetworkInterfaces;
  Bool enableFaultInjection;
  Object<IAMRoleCredentials> executionRoleCredentials;
  String family;
  String group;
  String ipcMode;
  String launchType;
  Int memory;
  String networkMode;
  String overrides;
  String pidMode;
  Object<ProxyConfiguration> proxyConfiguration;
  Object<IAMRoleCredentials> roleCredentials;
  String serviceName;
  String taskClusterArn;
  String taskDefinitionAccountId;
  Object<TrustedExecutionConfiguration> trustedExecutionConfiguration;
  String version;
  List<Volume> volumes;
  String zone;
  ECS_ACS_SHAPE(Task, agentConfiguration, arn, associations, attachments, containers, cpu, desiredStatus,
                elasticNetworkInterfaces, enableFaultInjection, executionRoleCredentials, family, group,
                ipcMode, launchType, memory, networkMode, overrides, pidMode, proxyConfiguration,
                roleCredentials, serviceName, taskClusterArn, taskDefinitionAccountId,
                trustedExecutionConfiguration, version, volumes, zone)
};

struct PayloadMessage {
  String clusterArn;
  String containerInstanceArn;
  Int generatedAt;
  String messageId;
  Int seqNum;
  List<Task> tasks;
  Int timeline;
  ECS_ACS_SHAPE(PayloadMessage, clusterArn, containerInstanceArn, generatedAt, messageId, seqNum, tasks,
                timeline)
};

struct UpdateInfo {
  String location;
  String signature;
  ECS_ACS_SHAPE(UpdateInfo, location, signature)
};

struct PerformUpdateMessage {
  String clusterArn;
  String containerInstanceArn;
  String messageId;
  Object<UpdateInfo> updateInfo;
  ECS_ACS_SHAPE(PerformUpdateMessage, clusterArn, containerInstanceArn, messageId, updateInfo)
};

struct VersionInfo {
  String agentHash;
  String agentVersion;
  String dockerVersion;
  ECS_ACS_SHAPE(VersionInfo, agentHash, agentVersion, dockerVersion)
};

struct PollRequest {
  String cluster;
  String containerInstance;
  Int protocolVersion;
  Bool sendCredentials;
  Int seqNum;
  Int timeline;
  Object<VersionInfo> versionInfo;
  ECS_ACS_SHAPE(PollRequest, cluster, containerInstance, protocolVersion, sendCredentials, seqNum, timeline,
                versionInfo)
};

struct ServerException {
  String message;
  ECS_ACS_SHAPE(ServerException, message)
};

struct StageUpdateMessage {
  String clusterArn;
  String containerInstanceArn;
  String messageId;
  Object<UpdateInfo> updateInfo;
  ECS_ACS_SHAPE(StageUpdateMessage, clusterArn, containerInstanceArn, messageId, updateInfo)
};

struct TaskIdentifier {
  String desiredStatus;
  String taskArn;
  String taskClusterArn;
  ECS_ACS_SHAPE(TaskIdentifier, desiredStatus, taskArn, taskClusterArn)
};

struct TaskManifestMessage {
  String clusterArn;
  String containerInstanceArn;
  Int generatedAt;
  String messageId;
  List<TaskIdentifier> tasks;
  Int timeline;
  ECS_ACS_SHAPE(TaskManifestMessage, clusterArn, containerInstanceArn, generatedAt, messageId, tasks,
                timeline)
};

struct TaskStopVerificationAck {
  Int generatedAt;
  String messageId;
  List<TaskIdentifier> stopTasks;
  ECS_ACS_SHAPE(TaskStopVerificationAck, generatedAt, messageId, stopTasks)
};

struct TaskStopVerificationMessage {
  String messageId;
  List<TaskIdentifier> stopCandidates;
  ECS_ACS_SHAPE(TaskStopVerificationMessage, messageId, stopCandidates)
};

}  // namespace ecs::acs
