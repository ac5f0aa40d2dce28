#include "acs/codec.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/json_writer.h"

namespace ecs::acs {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Every shape of the model, for reflection.
using AllShapes = std::tuple<
    ASMAuthData,
    AccessDeniedException,
    AckRequest,
    EncodedString,
    Association,
    IPv4AddressAssignment,
    IPv6AddressAssignment,
    NetworkInterfaceTunnelProperties,
    NetworkInterfaceVethProperties,
    NetworkInterfaceVlanProperties,
    ElasticNetworkInterface,
    AttachInstanceNetworkInterfacesMessage,
    AttachTaskNetworkInterfacesMessage,
    AttachmentProperty,
    Attachment,
    BadRequestException,
    CloseMessage,
    ConfirmAttachmentMessage,
    ContainerDependency,
    DockerConfig,
    EnvironmentFile,
    FirelensConfiguration,
    Device,
    KernelCapabilities,
    LinuxParameters,
    ManagedAgent,
    MountPoint,
    PortMapping,
    ECRAuthData,
    RegistryAuthenticationData,
    RestartPolicy,
    Secret,
    VolumeFrom,
    Container,
    DockerVolumeConfiguration,
    EBSVolumeConfiguration,
    EFSAuthorizationConfig,
    EFSVolumeConfiguration,
    ErrorMessage,
    FSxWindowsFileServerAuthorizationConfig,
    FSxWindowsFileServerVolumeConfiguration,
    HeartbeatAckRequest,
    HeartbeatMessage,
    HostVolumeProperties,
    IAMRoleCredentials,
    IAMRoleCredentialsAckRequest,
    IAMRoleCredentialsMessage,
    InactiveInstanceException,
    InvalidClusterException,
    InvalidInstanceException,
    LogDriverVolumeConfiguration,
    NackRequest,
    ProxyConfiguration,
    TrustedExecutionConfiguration,
    Volume,
    Task,
    PayloadMessage,
    UpdateInfo,
    PerformUpdateMessage,
    VersionInfo,
    PollRequest,
    ServerException,
    StageUpdateMessage,
    TaskIdentifier,
    TaskManifestMessage,
    TaskStopVerificationAck,
    TaskStopVerificationMessage>;

class DecodeCategory : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "acs-decode"; }
  std::string message(int ev) const override {
    switch (static_cast<DecodeErrc>(ev)) {
      case DecodeErrc::undecodable:
        return "ACS frame not decodable";
      case DecodeErrc::unrecognized_type:
        return "ACS message type not recognized";
      case DecodeErrc::missing_message:
        return "ACS frame without message";
      case DecodeErrc::bad_member:
        return "ACS message member has the wrong type";
    }
    return "ACS decode error";
  }
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Where decoding is, for error messages ("tasks[0].containers[1].cpu").
class Path {
 public:
  void push(std::string_view name) { parts_.push_back({name, npos}); }
  void push(std::size_t index) { parts_.push_back({{}, index}); }
  void pop() { parts_.pop_back(); }
  std::string str() const {
    std::string out;
    for (const auto& p : parts_) {
      if (p.index != npos) {
        out.append("[").append(std::to_string(p.index)).append("]");
      } else {
        if (!out.empty()) out.push_back('.');
        out.append(p.name);
      }
    }
    return out.empty() ? "message" : out;
  }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  struct Part {
    std::string_view name;
    std::size_t index;
  };
  std::vector<Part> parts_;
};

struct Ctx {
  Path path;
  std::string error;
  bool fail(const char* expected) {
    if (error.empty()) error.append(path.str()).append(": expected ").append(expected);
    return false;
  }
};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class S>
bool decode_shape(element e, S& out, Ctx& ctx);

// Scalars and containers, decoded into a present value (callers handle null = absent).
bool decode_value(element e, std::string& out, Ctx& ctx) {
  std::string_view v;
  if (e.get_string().get(v) != simdjson::SUCCESS) return ctx.fail("a string");
  out.assign(v.data(), v.size());
  return true;
}

bool decode_value(element e, bool& out, Ctx& ctx) {
  if (e.get_bool().get(out) != simdjson::SUCCESS) return ctx.fail("a boolean");
  return true;
}

bool decode_value(element e, std::int64_t& out, Ctx& ctx) {
  // Go's int64: an integral JSON number that fits. 1.0, 1e3 and 2^63 are all rejected.
  if (e.type() == element_type::INT64) {
    out = e.get_int64().value_unsafe();
    return true;
  }
  return ctx.fail("an integer");
}

bool decode_value(element e, double& out, Ctx& ctx) {
  if (e.get_double().get(out) != simdjson::SUCCESS) return ctx.fail("a number");
  return true;
}

bool decode_value(element e, std::map<std::string, std::string>& out, Ctx& ctx) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return ctx.fail("an object");
  for (auto field : obj) {
    if (field.value.is_null()) continue;
    ctx.path.push(field.key);
    std::string value;
    if (!decode_value(field.value, value, ctx)) return false;
    ctx.path.pop();
    out[std::string(field.key)] = std::move(value);
  }
  return true;
}

template <class T>
bool decode_value(element e, std::vector<T>& out, Ctx& ctx) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) return ctx.fail("an array");
  out.reserve(arr.size());
  std::size_t i = 0;
  for (element item : arr) {
    ctx.path.push(i++);
    T& value = out.emplace_back();
    if (!item.is_null()) {  // a null element stays a default (all-absent) value
      if constexpr (requires { T::members(); }) {
        if (!decode_shape(item, value, ctx)) return false;
      } else {
        if (!decode_value(item, value, ctx)) return false;
      }
    }
    ctx.path.pop();
  }
  return true;
}

template <class T>
bool decode_member(element e, std::optional<T>& out, Ctx& ctx) {
  if (e.is_null()) return true;  // null is absent (and leaves an earlier value, as Go does)
  T value{};
  bool ok;
  if constexpr (requires { T::members(); }) {
    ok = decode_shape(e, value, ctx);
  } else {
    ok = decode_value(e, value, ctx);
  }
  if (ok) out = std::move(value);
  return ok;
}

template <class S>
bool decode_shape(element e, S& out, Ctx& ctx) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return ctx.fail("an object");
  constexpr auto members = S::members();
  for (auto field : obj) {
    const std::string_view key = field.key;
    bool matched = false;
    bool ok = true;
    auto try_member = [&](const auto& m, bool exact) {
      if (matched || !(exact ? m.name == key : iequals(m.name, key))) return;
      matched = true;
      ctx.path.push(m.name);
      ok = decode_member(field.value, out.*(m.pointer), ctx);
      if (ok) ctx.path.pop();
    };
    std::apply([&](const auto&... m) { (try_member(m, true), ...); }, members);
    if (!matched) std::apply([&](const auto&... m) { (try_member(m, false), ...); }, members);
    if (!ok) return false;  // unknown keys (no match) are ignored
  }
  return true;
}

// ---- encoding -------------------------------------------------------------------------------
template <class S>
void encode_shape(const S& s, JsonWriter& w);

void encode_value(const std::string& v, JsonWriter& w) { w.string(v); }
void encode_value(bool v, JsonWriter& w) { w.boolean(v); }
void encode_value(std::int64_t v, JsonWriter& w) { w.number(v); }
void encode_value(double v, JsonWriter& w) { w.number_double(v); }
void encode_value(const std::map<std::string, std::string>& v, JsonWriter& w) {
  w.begin_object();
  for (const auto& [k, val] : v) w.key(k).string(val);
  w.end_object();
}
template <class T>
void encode_value(const std::vector<T>& v, JsonWriter& w) {
  w.begin_array();
  for (const T& item : v) {
    if constexpr (requires { T::members(); }) {
      encode_shape(item, w);
    } else {
      encode_value(item, w);
    }
  }
  w.end_array();
}

template <class S>
void encode_shape(const S& s, JsonWriter& w) {
  w.begin_object();
  std::apply(
      [&](const auto&... m) {
        auto one = [&](const auto& member) {
          const auto& value = s.*(member.pointer);
          if (!value) return;  // absent members are omitted; present empty ones are written
          w.key(member.name);
          using T = typename std::decay_t<decltype(value)>::value_type;
          if constexpr (requires { T::members(); }) {
            encode_shape(*value, w);
          } else {
            encode_value(*value, w);
          }
        };
        (one(m), ...);
      },
      S::members());
  w.end_object();
}

// ---- reflection -----------------------------------------------------------------------------
template <class T>
std::string kind_of() {
  if constexpr (std::is_same_v<T, std::string>) return "string";
  else if constexpr (std::is_same_v<T, bool>) return "boolean";
  else if constexpr (std::is_same_v<T, std::int64_t>) return "integer";
  else if constexpr (std::is_same_v<T, double>) return "double";
  else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) return "map";
  else if constexpr (is_vector<T>::value) return "list:" + kind_of<typename T::value_type>();
  else return "structure:" + std::string(T::kShape);
}

template <class S>
std::vector<MemberInfo> describe() {
  std::vector<MemberInfo> out;
  std::apply(
      [&](const auto&... m) {
        (out.push_back({std::string(m.name),
                        kind_of<typename std::decay_t<decltype(std::declval<S>().*(m.pointer))>::value_type>()}),
         ...);
      },
      S::members());
  return out;
}

template <std::size_t I = 0>
Result<Message> decode_as(std::string_view type, element message, Ctx& ctx) {
  if constexpr (I == std::variant_size_v<Message>) {
    return make_error(DecodeErrc::unrecognized_type, "Could not recognize given argument as a valid type: " +
                                                         std::string(type));
  } else {
    using T = std::variant_alternative_t<I, Message>;
    if (T::kShape != type) return decode_as<I + 1>(type, message, ctx);
    T out{};
    if (!message.is_null() && !decode_shape(message, out, ctx)) {
      return make_error(DecodeErrc::bad_member, std::string(type) + ": " + ctx.error);
    }
    return Message(std::move(out));
  }
}

constexpr std::string_view kExceptions[] = {"ServerException",          "BadRequestException",
                                            "InvalidClusterException",  "InvalidInstanceException",
                                            "AccessDeniedException",    "InactiveInstanceException"};

std::string excerpt(std::string_view raw) {
  constexpr std::size_t kMax = 256;
  return raw.size() <= kMax ? std::string(raw) : std::string(raw.substr(0, kMax)) + "...";
}

}  // namespace

const boost::system::error_category& decode_category() {
  static const DecodeCategory c;
  return c;
}

error_code make_error_code(DecodeErrc e) { return {static_cast<int>(e), decode_category()}; }

std::string_view type_name(const Message& message) {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kShape; }, message);
}

bool is_recognized_type(std::string_view type) {
  bool found = false;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((found = found || std::variant_alternative_t<I, Message>::kShape == type), ...);
  }(std::make_index_sequence<std::variant_size_v<Message>>());
  return found;
}

bool is_exception_type(std::string_view type) {
  return std::find(std::begin(kExceptions), std::end(kExceptions), type) != std::end(kExceptions);
}

std::optional<std::string> exception_text(const Message& message) {
  return std::visit(
      [](const auto& m) -> std::optional<std::string> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (requires { m.message; }) {
          if (is_exception_type(T::kShape)) return m.message.value_or("null");
        }
        return std::nullopt;
      },
      message);
}

Result<Message> Decoder::decode(std::string_view frame) {
  element doc;
  if (parser_.parse(frame.data(), frame.size()).get(doc) != simdjson::SUCCESS) {
    return make_error(DecodeErrc::undecodable, "Could not decode message into any expected format: " + excerpt(frame));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return make_error(DecodeErrc::undecodable, "Could not decode message into any expected format: " + excerpt(frame));
  }
  // Envelope members, exact names preferred; the last duplicate wins (as in Go).
  std::optional<element> type_exact, type_folded, message_exact, message_folded;
  for (auto field : obj) {
    if (field.key == "type") type_exact = field.value;
    else if (iequals(field.key, "type")) type_folded = field.value;
    if (field.key == "message") message_exact = field.value;
    else if (iequals(field.key, "message")) message_folded = field.value;
  }
  const std::optional<element> type_el = type_exact ? type_exact : type_folded;
  const std::optional<element> message_el = message_exact ? message_exact : message_folded;
  std::string_view type;
  if (!type_el || type_el->get_string().get(type) != simdjson::SUCCESS || type.empty()) {
    // The connection-error form: exactly one key, a string value, one of the six exceptions.
    if (obj.size() == 1) {
      auto only = *obj.begin();
      std::string_view text;
      if (is_exception_type(only.key) && only.value.get_string().get(text) == simdjson::SUCCESS) {
        Ctx ctx;
        auto e = decode_as(only.key, doc, ctx);  // decoded below with the text as "message"
        if (e) {
          Message m = std::move(*e);
          std::visit(
              [&](auto& x) {
                if constexpr (requires { x.message; }) x.message = std::string(text);
              },
              m);
          return m;
        }
      }
    }
    return make_error(DecodeErrc::undecodable, "Could not decode message into any expected format: " + excerpt(frame));
  }
  if (!is_recognized_type(type)) {
    return make_error(DecodeErrc::unrecognized_type,
                      "Could not recognize given argument as a valid type: " + std::string(type));
  }
  if (!message_el) {
    return make_error(DecodeErrc::missing_message, std::string(type) + ": the frame has no \"message\"");
  }
  Ctx ctx;
  return decode_as(type, *message_el, ctx);
}

std::string encode(const Message& message) {
  std::string out;
  out.reserve(256);
  out += "{\"type\":";
  append_json_string(out, type_name(message));
  out += ",\"message\":";
  JsonWriter w(out);
  std::visit([&](const auto& m) { encode_shape(m, w); }, message);
  out += "}";
  return out;
}

std::vector<std::string> all_shape_names() {
  std::vector<std::string> names;
  std::apply([&](const auto&... s) { (names.emplace_back(std::decay_t<decltype(s)>::kShape), ...); }, AllShapes{});
  return names;
}

std::optional<std::vector<MemberInfo>> describe_shape(std::string_view shape) {
  std::optional<std::vector<MemberInfo>> out;
  std::apply(
      [&](const auto&... s) {
        ((std::decay_t<decltype(s)>::kShape == shape ? (void)(out = describe<std::decay_t<decltype(s)>>()) : void()),
         ...);
      },
      AllShapes{});
  return out;
}

}  // namespace ecs::acs
