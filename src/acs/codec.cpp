#include "acs/codec.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "core/json_writer.h"

namespace ecs::acs {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Every shape of the model, for reflection.
using AllShapes = std::tuple<
    ASMAuthData, AccessDeniedException, AckRequest, EncodedString, Association, IPv4AddressAssignment,
    IPv6AddressAssignment, NetworkInterfaceTunnelProperties, NetworkInterfaceVethProperties,
    NetworkInterfaceVlanProperties, ElasticNetworkInterface, AttachInstanceNetworkInterfacesMessage,
    AttachTaskNetworkInterfacesMessage, AttachmentProperty, Attachment, BadRequestException, CloseMessage,
    ConfirmAttachmentMessage, ContainerDependency, DockerConfig, EnvironmentFile, FirelensConfiguration,
    Device, KernelCapabilities, LinuxParameters, ManagedAgent, MountPoint, PortMapping, ECRAuthData,
    RegistryAuthenticationData, RestartPolicy, Secret, VolumeFrom, Container, DockerVolumeConfiguration,
    EBSVolumeConfiguration, EFSAuthorizationConfig, EFSVolumeConfiguration, ErrorMessage,
    FSxWindowsFileServerAuthorizationConfig, FSxWindowsFileServerVolumeConfiguration, HeartbeatAckRequest,
    HeartbeatMessage, HostVolumeProperties, IAMRoleCredentials, IAMRoleCredentialsAckRequest,
    IAMRoleCredentialsMessage, InactiveInstanceException, InvalidClusterException, InvalidInstanceException,
    LogDriverVolumeConfiguration, NackRequest, ProxyConfiguration, TrustedExecutionConfiguration, Volume,
    Task, PayloadMessage, UpdateInfo, PerformUpdateMessage, VersionInfo, PollRequest, ServerException,
    StageUpdateMessage, TaskIdentifier, TaskManifestMessage, TaskStopVerificationAck,
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

// Where decoding failed, for error messages ("tasks[0].containers[1].cpu"). Nothing is recorded
// on the success path: a failing member returns false and each level adds its part while the
// failure unwinds, innermost first.
struct Ctx {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  struct Part {
    std::string_view name;  // points into the parsed document, alive until the error is built
    std::size_t index;
  };
  std::vector<Part> trail;
  const char* expected = nullptr;
  std::vector<StringMapNode>* spare_nodes;  // the decoder's, for map nodes being reused

  explicit Ctx(std::vector<StringMapNode>& nodes) : spare_nodes(&nodes) {}

  bool fail(const char* what) {
    if (expected == nullptr) expected = what;
    return false;
  }
  bool at(std::string_view name) {
    trail.push_back({name, npos});
    return false;
  }
  bool at(std::size_t index) {
    trail.push_back({{}, index});
    return false;
  }
  std::string error() const {
    std::string out;
    for (auto it = trail.rbegin(); it != trail.rend(); ++it) {
      if (it->index != npos) {
        out.append("[").append(std::to_string(it->index)).append("]");
      } else {
        if (!out.empty()) out.push_back('.');
        out.append(it->name);
      }
    }
    if (out.empty()) out = "message";
    return out.append(": expected ").append(expected != nullptr ? expected : "a valid value");
  }
};

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class S>
bool decode_shape(element e, S& out, Ctx& ctx);

// Decoding is in place: each function writes into a value that may still hold what an earlier
// message left there, reuses its storage (string capacity, vector elements, map nodes) and leaves
// exactly what decoding into a fresh value would. In the steady state of a connection (the same
// types with similar contents, frame after frame) a frame is decoded without allocating.

// Overwrites `out` with `v`. When `v` is no longer than what `out` holds (the usual case for a
// field decoded in place: the same kind of value again) the bytes are copied inline, without
// std::string's general replace.
void assign(std::string& out, std::string_view v) {
  if (v.size() <= out.size()) {
    if (!v.empty()) std::memcpy(out.data(), v.data(), v.size());
    out.erase(v.size());
  } else {
    out.assign(v.data(), v.size());
  }
}

// Scalars and containers, decoded into a present value (callers handle null = absent).
bool decode_value(element e, std::string& out, Ctx& ctx) {
  std::string_view v;
  if (e.get_string().get(v) != simdjson::SUCCESS) return ctx.fail("a string");
  assign(out, v);
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
  // The old entries' nodes are taken out and refilled with the new keys and values.
  std::vector<StringMapNode>& spare = *ctx.spare_nodes;
  spare.clear();
  while (!out.empty()) spare.push_back(out.extract(out.begin()));
  for (auto field : obj) {
    if (field.value.is_null()) continue;
    std::string_view value;
    if (field.value.get_string().get(value) != simdjson::SUCCESS) {
      ctx.fail("a string");
      return ctx.at(field.key);
    }
    if (spare.empty()) {
      out.insert_or_assign(std::string(field.key), std::string(value));
      continue;
    }
    StringMapNode node = std::move(spare.back());
    spare.pop_back();
    assign(node.key(), field.key);
    assign(node.mapped(), value);
    auto inserted = out.insert(std::move(node));
    if (!inserted.inserted) {  // a repeated key: the last value wins
      assign(inserted.position->second, value);
      spare.push_back(std::move(inserted.node));
    }
  }
  spare.clear();
  return true;
}

template <class T>
bool decode_value(element e, std::vector<T>& out, Ctx& ctx) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) return ctx.fail("an array");
  out.reserve(arr.size());
  std::size_t i = 0;
  for (element item : arr) {
    T& value = i < out.size() ? out[i] : out.emplace_back();
    if (item.is_null()) {
      value = T{};  // a null element is a default (all-absent) value
    } else {
      bool ok;
      if constexpr (requires { T::members(); }) {
        ok = decode_shape(item, value, ctx);
      } else {
        ok = decode_value(item, value, ctx);
      }
      if (!ok) return ctx.at(i);
    }
    ++i;
  }
  out.erase(out.begin() + static_cast<std::ptrdiff_t>(i), out.end());
  return true;
}

// A member with a non-null value. A repeated key replaces the earlier value: decoding in place
// leaves only the new one.
template <class T>
bool decode_present(element e, std::optional<T>& out, Ctx& ctx) {
  T& value = out ? *out : out.emplace();
  if constexpr (requires { T::members(); }) {
    return decode_shape(e, value, ctx);
  } else {
    return decode_value(e, value, ctx);
  }
}

// Per shape, a table of (wire name, decoder of that member), built at compile time from the
// shape's reflection.
template <class S>
inline constexpr auto kMembers = S::members();

template <class S>
struct MemberEntry {
  std::string_view name;
  bool (*decode)(element, S&, Ctx&, std::uint64_t& set);
};

// Decodes the I-th member and marks it set, unless the value is null: null is absent (and leaves
// an earlier value of the same object, as Go does).
template <class S, std::size_t I>
bool decode_member_at(element e, S& s, Ctx& ctx, std::uint64_t& set) {
  if (e.is_null()) return true;
  set |= std::uint64_t{1} << I;
  return decode_present(e, s.*(std::get<I>(kMembers<S>).pointer), ctx);
}

template <class S, std::size_t... I>
constexpr auto make_member_table(std::index_sequence<I...>) {
  return std::array<MemberEntry<S>, sizeof...(I)>{
      MemberEntry<S>{std::get<I>(S::members()).name, &decode_member_at<S, I>}...};
}

template <class S>
inline constexpr auto kMemberTable =
    make_member_table<S>(std::make_index_sequence<std::tuple_size_v<decltype(S::members())>>());

// A name's first and last byte: with the length, enough to tell almost every pair of members
// apart without reading the names themselves.
constexpr std::uint16_t tag_of(std::string_view name) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(name.front()) |
                                    static_cast<unsigned char>(name.back()) << 8);
}

// The same members grouped by name length, so a key is compared only with names of its length,
// and within a length by tag.
template <class S>
struct MemberIndex {
  static constexpr std::size_t kMaxLen = 64;
  static constexpr std::size_t n = kMemberTable<S>.size();
  std::array<std::uint8_t, n> order{};            // member indexes sorted by name length
  std::array<std::uint16_t, n> tag{};             // tag_of() each name, in that order
  std::array<std::uint8_t, kMaxLen + 2> start{};  // order[start[len] .. start[len + 1]) have length len
};

template <class S>
constexpr MemberIndex<S> make_member_index() {
  MemberIndex<S> index;
  std::size_t pos = 0;
  for (std::size_t len = 0; len <= MemberIndex<S>::kMaxLen; ++len) {
    index.start[len] = static_cast<std::uint8_t>(pos);
    for (std::size_t i = 0; i < MemberIndex<S>::n; ++i) {
      if (kMemberTable<S>[i].name.size() == len) {
        index.tag[pos] = tag_of(kMemberTable<S>[i].name);
        index.order[pos++] = static_cast<std::uint8_t>(i);
      }
    }
  }
  index.start[MemberIndex<S>::kMaxLen + 1] = static_cast<std::uint8_t>(pos);
  return index;
}

template <class S>
inline constexpr MemberIndex<S> kMemberIndex = make_member_index<S>();

// Equal bytes, compared inline eight at a time (member names are short; a call to memcmp per key
// was a tenth of a large payload's decode).
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  for (; n >= 8; a += 8, b += 8, n -= 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
  }
  for (; n > 0; ++a, ++b, --n) {
    if (*a != *b) return false;
  }
  return true;
}

template <class S>
const MemberEntry<S>* find_member(std::string_view key) {
  constexpr auto& table = kMemberTable<S>;
  constexpr auto& index = kMemberIndex<S>;
  static_assert(index.start[MemberIndex<S>::kMaxLen + 1] == table.size(), "a member name is too long");
  if (!key.empty() && key.size() <= MemberIndex<S>::kMaxLen) {  // exact name first...
    const std::uint16_t tag = tag_of(key);
    for (std::size_t p = index.start[key.size()]; p < index.start[key.size() + 1]; ++p) {
      if (index.tag[p] != tag) continue;
      const auto& entry = table[index.order[p]];
      if (same_bytes(entry.name.data(), key.data(), key.size())) return &entry;
    }
  }
  for (const auto& entry : table) {  // ...then Go's case-insensitive match, first member in order
    if (iequals(entry.name, key)) return &entry;
  }
  return nullptr;
}

// Members an object did not set (absent or null) are reset: what an earlier message left in
// them does not survive.
template <class S, std::size_t... I>
void reset_unset(S& out, std::uint64_t set, std::index_sequence<I...>) {
  ((((set >> I) & 1U) != 0 ? void() : (out.*(std::get<I>(kMembers<S>).pointer)).reset()), ...);
}

template <class S>
bool decode_shape(element e, S& out, Ctx& ctx) {
  static_assert(kMemberTable<S>.size() <= 64, "the set-member mask holds 64 members");
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return ctx.fail("an object");
  std::uint64_t set = 0;
  for (auto field : obj) {
    const MemberEntry<S>* entry = find_member<S>(field.key);
    if (entry == nullptr) continue;  // unknown keys are ignored
    if (!entry->decode(field.value, out, ctx, set)) return ctx.at(entry->name);
  }
  reset_unset(out, set, std::make_index_sequence<kMemberTable<S>.size()>());
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
  if constexpr (std::is_same_v<T, std::string>)
    return "string";
  else if constexpr (std::is_same_v<T, bool>)
    return "boolean";
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return "integer";
  else if constexpr (std::is_same_v<T, double>)
    return "double";
  else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>)
    return "map";
  else if constexpr (is_vector<T>::value)
    return "list:" + kind_of<typename T::value_type>();
  else
    return "structure:" + std::string(T::kShape);
}

template <class S>
std::vector<MemberInfo> describe() {
  std::vector<MemberInfo> out;
  std::apply(
      [&](const auto&... m) {
        (out.push_back(
             {std::string(m.name),
              kind_of<typename std::decay_t<decltype(std::declval<S>().*(m.pointer))>::value_type>()}),
         ...);
      },
      S::members());
  return out;
}

// Decodes `message` as the I-th alternative into `out`, in place when `out` already holds one.
template <std::size_t I>
Result<void> decode_alternative(std::string_view type, element message, Ctx& ctx, Message& out) {
  using T = std::variant_alternative_t<I, Message>;
  if (out.index() != I) out.template emplace<I>();
  T& m = std::get<I>(out);
  if (message.is_null()) {
    m = T{};  // "message": null is an all-absent shape
    return {};
  }
  if (!decode_shape(message, m, ctx)) {
    return make_error(DecodeErrc::bad_member, std::string(type) + ": " + ctx.error());
  }
  return {};
}

struct TypeEntry {
  std::string_view name;
  Result<void> (*decode)(std::string_view, element, Ctx&, Message&);
};

template <std::size_t... I>
constexpr auto make_type_table(std::index_sequence<I...>) {
  return std::array<TypeEntry, sizeof...(I)>{
      TypeEntry{std::variant_alternative_t<I, Message>::kShape, &decode_alternative<I>}...};
}

constexpr auto kTypeTable = make_type_table(std::make_index_sequence<std::variant_size_v<Message>>());

const TypeEntry* find_type(std::string_view type) {
  for (const auto& entry : kTypeTable) {
    if (entry.name == type) return &entry;
  }
  return nullptr;
}

constexpr std::string_view kExceptions[] = {"ServerException",         "BadRequestException",
                                            "InvalidClusterException", "InvalidInstanceException",
                                            "AccessDeniedException",   "InactiveInstanceException"};

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

bool is_recognized_type(std::string_view type) { return find_type(type) != nullptr; }

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
  Message message;
  if (auto decoded = decode_into(frame, message); !decoded) return decoded.error();
  return message;
}

Result<void> Decoder::decode_into(std::string_view frame, Message& out) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse a padded copy, kept for the
  // next frame instead of a new allocation per frame.
  padded_.resize(frame.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(padded_.data(), frame.data(), frame.size());
  std::memset(padded_.data() + frame.size(), 0, simdjson::SIMDJSON_PADDING);
  return decode_padded_into(std::string_view(padded_.data(), frame.size()), out);
}

Result<void> Decoder::decode_padded_into(std::string_view frame, Message& out) {
  element doc;
  if (parser_.parse(frame.data(), frame.size(), false).get(doc) != simdjson::SUCCESS) {
    return make_error(DecodeErrc::undecodable,
                      "Could not decode message into any expected format: " + excerpt(frame));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return make_error(DecodeErrc::undecodable,
                      "Could not decode message into any expected format: " + excerpt(frame));
  }
  // Envelope members, exact names preferred; the last duplicate wins (as in Go).
  std::optional<element> type_exact, type_folded, message_exact, message_folded;
  for (auto field : obj) {
    if (field.key == "type")
      type_exact = field.value;
    else if (iequals(field.key, "type"))
      type_folded = field.value;
    if (field.key == "message")
      message_exact = field.value;
    else if (iequals(field.key, "message"))
      message_folded = field.value;
  }
  const std::optional<element> type_el = type_exact ? type_exact : type_folded;
  const std::optional<element> message_el = message_exact ? message_exact : message_folded;
  std::string_view type;
  Ctx ctx(spare_nodes_);
  if (!type_el || type_el->get_string().get(type) != simdjson::SUCCESS || type.empty()) {
    // The connection-error form: exactly one key, a string value, one of the six exceptions.
    if (obj.size() == 1) {
      auto only = *obj.begin();
      std::string_view text;
      if (is_exception_type(only.key) && only.value.get_string().get(text) == simdjson::SUCCESS) {
        // Decoded as that exception (the one key is no member of it), with the text as "message".
        if (find_type(only.key)->decode(only.key, doc, ctx, out)) {
          std::visit(
              [&](auto& x) {
                if constexpr (requires { x.message; }) x.message = std::string(text);
              },
              out);
          return {};
        }
      }
    }
    return make_error(DecodeErrc::undecodable,
                      "Could not decode message into any expected format: " + excerpt(frame));
  }
  const TypeEntry* entry = find_type(type);
  if (entry == nullptr) {
    return make_error(DecodeErrc::unrecognized_type,
                      "Could not recognize given argument as a valid type: " + std::string(type));
  }
  if (!message_el) {
    return make_error(DecodeErrc::missing_message, std::string(type) + ": the frame has no \"message\"");
  }
  return entry->decode(type, *message_el, ctx, out);
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
  std::apply([&](const auto&... s) { (names.emplace_back(std::decay_t<decltype(s)>::kShape), ...); },
             AllShapes{});
  return names;
}

std::optional<std::vector<MemberInfo>> describe_shape(std::string_view shape) {
  std::optional<std::vector<MemberInfo>> out;
  std::apply(
      [&](const auto&... s) {
        ((std::decay_t<decltype(s)>::kShape == shape ? (void)(out = describe<std::decay_t<decltype(s)>>())
                                                     : void()),
         ...);
      },
      AllShapes{});
  return out;
}

}  // namespace ecs::acs
