#include "engine/container_metadata.h"

#include <utility>

#include "core/json_writer.h"
#include "task/managed_agent.h"

namespace ecs::engine {
namespace {

void optional_string(JsonWriter& w, std::string_view key, const std::string& value) {
  if (!value.empty()) w.key(key).string(value);
}

}  // namespace

std::string container_metadata_json(const task::Task& task, const task::Container& c,
                                    const MetadataInstance& instance, bool ready) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  optional_string(w, "Cluster", instance.cluster);
  optional_string(w, "ContainerInstanceARN", instance.container_instance_arn);
  w.key("TaskARN").string(task.arn);
  w.key("TaskDefinitionFamily").string(task.family);
  w.key("TaskDefinitionRevision").string(task.version);
  if (ready) optional_string(w, "ContainerID", c.docker_id);
  w.key("ContainerName").string(c.name);
  if (ready) {
    if (!c.docker_name.empty()) w.key("DockerContainerName").string("/" + c.docker_name);
    optional_string(w, "ImageID", c.image_id);
    w.key("ImageName").string(c.image);
    if (!c.known_port_bindings.empty()) {
      w.key("PortMappings").begin_array();
      for (const auto& b : c.known_port_bindings) {
        w.begin_object()
            .key("ContainerPort")
            .number(b.container_port)
            .key("HostPort")
            .number(b.host_port)
            .key("BindIp")
            .string(b.bind_ip)
            .key("Protocol")
            .string(b.protocol)
            .end_object();
      }
      w.end_array();
    }
    if (!c.networks.empty()) {
      w.key("Networks").begin_array();
      for (const auto& n : c.networks) {
        w.begin_object().key("NetworkMode").string(n.name);
        if (!n.ipv4_address.empty()) w.key("IPv4Addresses").begin_array().string(n.ipv4_address).end_array();
        w.end_object();
      }
      w.end_array();
    }
  }
  w.key("MetadataFileStatus").string(ready ? "READY" : "NOT_READY");
  optional_string(w, "AvailabilityZone", instance.availability_zone);
  optional_string(w, "HostPrivateIPv4Address", instance.host_private_ipv4);
  optional_string(w, "HostPublicIPv4Address", instance.host_public_ipv4);
  w.end_object();
  return out;
}

ContainerMetadataFiles::ContainerMetadataFiles(ContainerMetadataOptions options, execcmd::FileSystem& fs,
                                               std::function<std::string()> new_uuid)
    : options_(std::move(options)), fs_(fs), new_uuid_(std::move(new_uuid)) {}

std::string ContainerMetadataFiles::container_dir(const std::string& task_arn,
                                                  const std::string& container_name) const {
  return options_.data_dir + "/metadata/" + task::task_id(task_arn) + "/" + container_name;
}

Result<void> ContainerMetadataFiles::write(const std::string& dir, const std::string& json) {
  const std::string file = dir + "/" + kMetadataFileName;
  const std::string temp = file + ".tmp";
  if (auto r = fs_.write_file(temp, json, 0644); !r) return r.error();
  return fs_.rename(temp, file);
}

Result<ContainerMetadataFiles::Mount> ContainerMetadataFiles::create(const task::Task& task,
                                                                     const task::Container& c,
                                                                     const MetadataInstance& instance) {
  const std::string dir = container_dir(task.arn, c.name);
  if (auto r = fs_.mkdir_all(dir, 0755); !r) return r.error();
  if (auto r = write(dir, container_metadata_json(task, c, instance, false)); !r) return r.error();
  // The reference's "<host data dir>/<agent's path>", without the doubled slash.
  std::string host_dir = dir;
  if (!options_.host_data_dir.empty()) {
    std::string prefix = options_.host_data_dir;
    while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
    host_dir = prefix + (dir.starts_with('/') ? "" : "/") + dir;
  }
  const std::string target = std::string(kMetadataMountRoot) + "/" + new_uuid_();
  return Mount{host_dir + ":" + target, target + "/" + kMetadataFileName};
}

Result<void> ContainerMetadataFiles::update(const task::Task& task, const task::Container& c,
                                            const MetadataInstance& instance) {
  return write(container_dir(task.arn, c.name), container_metadata_json(task, c, instance, true));
}

Result<void> ContainerMetadataFiles::clean(const std::string& task_arn) {
  return fs_.remove_all(options_.data_dir + "/metadata/" + task::task_id(task_arn));
}

}  // namespace ecs::engine
