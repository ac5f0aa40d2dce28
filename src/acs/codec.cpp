#include "acs/codec.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <type_traits>
#include <utility>

#include "core/error_category.h"
#include "core/json_writer.h"

namespace ecs::acs {
namespace {

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

class DecodeCategory : public ErrorCategory {
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

// The parsed document is read from simdjson's DOM tape directly (format: simdjson's
// doc/tape.md): one 64-bit word per value, its type in the top byte; strings are offsets into the
// string buffer (a 32-bit length, the bytes, a NUL); numbers take a second word; '{' and '['
// hold the index just past their closing word. Read here with the tape and string pointers in
// registers; through dom::element they are reloaded after every store into the message (a char
// store may alias anything), which cost a tenth or more of the decode. simdjson is pinned (the
// Debian source package); the decode tests, which check values of every JSON kind, would catch a
// change of format.
struct Tape {
  static constexpr std::uint64_t kPayload = (std::uint64_t{1} << 56) - 1;  // below the type byte
  const std::uint64_t* words;
  const std::uint8_t* strings;

  char type(std::size_t i) const { return static_cast<char>(words[i] >> 56); }
  bool is_null(std::size_t i) const { return type(i) == 'n'; }
  std::string_view string(std::size_t i) const {
    const std::uint8_t* p = strings + (words[i] & kPayload);
    std::uint32_t size;
    std::memcpy(&size, p, sizeof size);
    return {reinterpret_cast<const char*>(p + sizeof size), size};
  }
  // The index just past the value at i.
  std::size_t after(std::size_t i) const {
    switch (type(i)) {
      case '{':
      case '[':
        return static_cast<std::uint32_t>(words[i]);
      case 'l':
      case 'u':
      case 'd':
        return i + 2;
      default:
        return i + 1;
    }
  }
  // The index of the closing word of the object or array at i.
  std::size_t end_of_scope(std::size_t i) const { return static_cast<std::uint32_t>(words[i]) - 1; }
};

// What the decoding functions share: the tape, the decoder's scratch space, and where decoding
// failed, for error messages ("tasks[0].containers[1].cpu"). Nothing is recorded on the success
// path: a failing member returns false and each level adds its part while the failure unwinds,
// innermost first.
struct Ctx {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  struct Part {
    std::string_view name;  // points into the parsed document, alive until the error is built
    std::size_t index;
  };
  Tape tape;
  std::vector<Part> trail;
  const char* expected = nullptr;
  std::vector<StringMapNode>* spare_nodes;  // the decoder's, for map nodes being reused
  std::vector<const void*>* seen;           // the decoder's, for the entries a map's keys were found in

  Ctx(Tape t, std::vector<StringMapNode>& nodes, std::vector<const void*>& entries)
      : tape(t), spare_nodes(&nodes), seen(&entries) {}

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
bool decode_shape(std::size_t at, S& out, Ctx& ctx);

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

// Scalars and containers, decoded from the value at tape index `at` into a present value
// (callers handle null = absent).
bool decode_value(std::size_t at, std::string& out, Ctx& ctx) {
  const Tape t = ctx.tape;
  if (t.type(at) != '"') return ctx.fail("a string");
  assign(out, t.string(at));
  return true;
}

bool decode_value(std::size_t at, bool& out, Ctx& ctx) {
  const char type = ctx.tape.type(at);
  if (type != 't' && type != 'f') return ctx.fail("a boolean");
  out = type == 't';
  return true;
}

bool decode_value(std::size_t at, std::int64_t& out, Ctx& ctx) {
  // Go's int64: an integral JSON number that fits ('l'). 1.0, 1e3 ('d') and 2^63 ('u') are not.
  const Tape t = ctx.tape;
  if (t.type(at) != 'l') return ctx.fail("an integer");
  out = static_cast<std::int64_t>(t.words[at + 1]);
  return true;
}

bool decode_value(std::size_t at, double& out, Ctx& ctx) {
  const Tape t = ctx.tape;
  switch (t.type(at)) {  // a number's value is the word after its type word
    case 'd':
      std::memcpy(&out, &t.words[at + 1], sizeof out);
      return true;
    case 'l':
      out = static_cast<double>(static_cast<std::int64_t>(t.words[at + 1]));
      return true;
    case 'u':
      out = static_cast<double>(t.words[at + 1]);
      return true;
    default:
      return ctx.fail("a number");
  }
}

// The usual case of a map decoded in place: the object has exactly the keys the map holds (in any
// order), so only the values are overwritten. False when it does not; the map may then hold some
// of the new values and is decoded again from scratch.
bool overwrite_values(std::size_t at, StringMap::value_type& out, Ctx& ctx) {
  const Tape t = ctx.tape;
  std::vector<const void*>& seen = *ctx.seen;
  seen.clear();
  for (std::size_t i = at + 1, end = t.end_of_scope(at); i < end; i = t.after(i + 1)) {
    if (t.is_null(i + 1)) continue;
    if (t.type(i + 1) != '"') return false;
    auto it = out.find(t.string(i));
    if (it == out.end()) return false;
    assign(it->second, t.string(i + 1));
    seen.push_back(&*it);
  }
  if (seen.size() != out.size()) return false;
  if (seen.size() > 1) {  // a repeated key (the last value wins) leaves another key unseen
    std::sort(seen.begin(), seen.end());
    if (std::adjacent_find(seen.begin(), seen.end()) != seen.end()) return false;
  }
  return true;
}

bool decode_value(std::size_t at, StringMap::value_type& out, Ctx& ctx) {
  const Tape t = ctx.tape;
  if (t.type(at) != '{') return ctx.fail("an object");
  if (!out.empty() && overwrite_values(at, out, ctx)) return true;
  // Otherwise the old entries' nodes are taken out and refilled with the new keys and values.
  std::vector<StringMapNode>& spare = *ctx.spare_nodes;
  spare.clear();
  while (!out.empty()) spare.push_back(out.extract(out.begin()));
  for (std::size_t i = at + 1, end = t.end_of_scope(at); i < end; i = t.after(i + 1)) {
    if (t.is_null(i + 1)) continue;
    const std::string_view key = t.string(i);
    if (t.type(i + 1) != '"') {
      ctx.fail("a string");
      return ctx.at(key);
    }
    const std::string_view value = t.string(i + 1);
    if (spare.empty()) {
      out.insert_or_assign(std::string(key), std::string(value));
      continue;
    }
    StringMapNode node = std::move(spare.back());
    spare.pop_back();
    assign(node.key(), key);
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
bool decode_value(std::size_t at, std::vector<T>& out, Ctx& ctx) {
  const Tape t = ctx.tape;
  if (t.type(at) != '[') return ctx.fail("an array");
  std::size_t n = 0;
  for (std::size_t i = at + 1, end = t.end_of_scope(at); i < end; i = t.after(i)) {
    T& value = n < out.size() ? out[n] : out.emplace_back();
    if (t.is_null(i)) {
      value = T{};  // a null element is a default (all-absent) value
    } else {
      bool ok;
      if constexpr (requires { T::members(); }) {
        ok = decode_shape(i, value, ctx);
      } else {
        ok = decode_value(i, value, ctx);
      }
      if (!ok) return ctx.at(n);
    }
    ++n;
  }
  out.erase(out.begin() + static_cast<std::ptrdiff_t>(n), out.end());
  return true;
}

// A member with a non-null value. A repeated key replaces the earlier value: decoding in place
// leaves only the new one.
template <class T>
bool decode_present(std::size_t at, std::optional<T>& out, Ctx& ctx) {
  T& value = out ? *out : out.emplace();
  if constexpr (requires { T::members(); }) {
    return decode_shape(at, value, ctx);
  } else {
    return decode_value(at, value, ctx);
  }
}

// Per shape, a table of (wire name, decoder of that member), built at compile time from the
// shape's reflection.
template <class S>
inline constexpr auto kMembers = S::members();

template <class S>
struct MemberEntry {
  std::string_view name;
  bool (*decode)(std::size_t, S&, Ctx&, std::uint64_t& set);
};

// Decodes the I-th member and marks it set, unless the value is null: null is absent (and leaves
// an earlier value of the same object, as Go does).
template <class S, std::size_t I>
bool decode_member_at(std::size_t at, S& s, Ctx& ctx, std::uint64_t& set) {
  if (ctx.tape.is_null(at)) return true;
  set |= std::uint64_t{1} << I;
  return decode_present(at, s.*(std::get<I>(kMembers<S>).pointer), ctx);
}

template <class S, std::size_t... I>
constexpr auto make_member_table(std::index_sequence<I...>) {
  return std::array<MemberEntry<S>, sizeof...(I)>{
      MemberEntry<S>{std::get<I>(S::members()).name, &decode_member_at<S, I>}...};
}

template <class S>
inline constexpr auto kMemberTable =
    make_member_table<S>(std::make_index_sequence<std::tuple_size_v<decltype(S::members())>>());

// Member lookup: a perfect hash per shape, found at compile time, maps a key to the one member it
// can be; one comparison then confirms it.

// Little-endian loads of 4 or 8 bytes; byte by byte at compile time (same value, the tables are
// built at compile time and probed at run time).
static_assert(std::endian::native == std::endian::little, "key_bits() loads little-endian words");
constexpr std::uint64_t load_le(const char* p, std::size_t n) {
  if (std::is_constant_evaluated()) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
  }
  if (n == 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// A key's bytes folded into 64 bits without reading past it: its first and last eight bytes and,
// for longer keys, eight from the middle (every byte of keys up to 24 bytes), with its length.
// Equal bits for two of a shape's names fail the build (make_name_hash); for any other key the
// comparison after the lookup decides.
constexpr std::uint64_t key_bits(const char* k, std::size_t n) {
  std::uint64_t head, tail;
  if (n >= 8) {
    head = load_le(k, 8);
    tail = load_le(k + n - 8, 8);
    if (n > 16) {  // and eight from the middle
      const std::uint64_t mid = load_le(k + n / 2 - 4, 8);
      head ^= mid << 17 | mid >> 47;
    }
  } else if (n >= 4) {
    head = load_le(k, 4) | load_le(k + n - 4, 4) << 32;
    tail = 0;
  } else {
    head = static_cast<std::uint64_t>(static_cast<unsigned char>(k[0])) |
           static_cast<std::uint64_t>(static_cast<unsigned char>(k[n / 2])) << 8 |
           static_cast<std::uint64_t>(static_cast<unsigned char>(k[n - 1])) << 16;
    tail = 0;
  }
  return (head ^ (tail << 29 | tail >> 35)) * 0x9E3779B97F4A7C15ULL + n;
}

// A perfect hash of N names: each name's key_bits() lands in a slot of its own (four times as
// many slots as names, so that a multiplier is found in a few tries); a key can only be the name
// in its slot.
template <std::size_t N>
struct NameHash {
  static_assert(N < 255, "slots hold a name's index + 1 in a byte");
  static constexpr unsigned kBits = std::bit_width(4 * N - 1);
  std::uint64_t multiplier = 0;
  std::array<std::uint8_t, std::size_t{1} << kBits> slot{};  // name index + 1, 0 = none

  constexpr std::size_t slot_of(std::uint64_t bits) const {
    return static_cast<std::size_t>((bits * multiplier) >> (64 - kBits));
  }
  // The index of the only name `key` can be, or SIZE_MAX.
  std::size_t candidate(std::string_view key) const {
    if (key.empty()) return static_cast<std::size_t>(-1);
    return static_cast<std::size_t>(slot[slot_of(key_bits(key.data(), key.size()))]) - 1;
  }
};

// For a table of entries with a `name` (member or type table).
template <class Entry, std::size_t N>
constexpr NameHash<N> make_name_hash(const std::array<Entry, N>& table) {
  std::array<std::uint64_t, N> bits{};
  for (std::size_t i = 0; i < N; ++i) bits[i] = key_bits(table[i].name.data(), table[i].name.size());
  NameHash<N> h;
  std::uint64_t m = 0x9E3779B97F4A7C15ULL;
  for (int attempt = 0; attempt < 1000; ++attempt, m = m * 6364136223846793005ULL + 1442695040888963407ULL) {
    h.multiplier = m | 1;
    h.slot = {};
    bool ok = true;
    for (std::size_t i = 0; i < N && ok; ++i) {
      auto& cell = h.slot[h.slot_of(bits[i])];
      ok = cell == 0;
      cell = static_cast<std::uint8_t>(i + 1);
    }
    if (ok) return h;
  }
  throw "no perfect hash for these names: let key_bits() read more of them";
}

template <class S>
inline constexpr auto kMemberHash = make_name_hash(kMemberTable<S>);

// Equal bytes, compared inline eight at a time.
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

inline bool same_name(std::string_view name, std::string_view key) {
  return name.size() == key.size() && same_bytes(name.data(), key.data(), key.size());
}

template <class S>
const MemberEntry<S>* find_member(std::string_view key) {
  constexpr auto& table = kMemberTable<S>;
  // The exact name first...
  if (const std::size_t i = kMemberHash<S>.candidate(key);
      i < table.size() && same_name(table[i].name, key)) {
    return &table[i];
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
bool decode_shape(std::size_t at, S& out, Ctx& ctx) {
  static_assert(kMemberTable<S>.size() <= 64, "the set-member mask holds 64 members");
  const Tape t = ctx.tape;
  if (t.type(at) != '{') return ctx.fail("an object");
  std::uint64_t set = 0;
  for (std::size_t i = at + 1, end = t.end_of_scope(at); i < end; i = t.after(i + 1)) {
    const MemberEntry<S>* entry = find_member<S>(t.string(i));
    if (entry == nullptr) continue;  // unknown keys are ignored
    if (!entry->decode(i + 1, out, ctx, set)) return ctx.at(entry->name);
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
void encode_value(const StringMap::value_type& v, JsonWriter& w) {
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
  else if constexpr (std::is_same_v<T, StringMap::value_type>)
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
Result<void> decode_alternative(std::string_view type, std::size_t message, Ctx& ctx, Message& out) {
  using T = std::variant_alternative_t<I, Message>;
  if (out.index() != I) out.template emplace<I>();
  T& m = std::get<I>(out);
  if (ctx.tape.is_null(message)) {
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
  Result<void> (*decode)(std::string_view, std::size_t, Ctx&, Message&);
};

template <std::size_t... I>
constexpr auto make_type_table(std::index_sequence<I...>) {
  return std::array<TypeEntry, sizeof...(I)>{
      TypeEntry{std::variant_alternative_t<I, Message>::kShape, &decode_alternative<I>}...};
}

constexpr auto kTypeTable = make_type_table(std::make_index_sequence<std::variant_size_v<Message>>());

constexpr auto kTypeHash = make_name_hash(kTypeTable);

const TypeEntry* find_type(std::string_view type) {
  const std::size_t i = kTypeHash.candidate(type);
  return i < kTypeTable.size() && same_name(kTypeTable[i].name, type) ? &kTypeTable[i] : nullptr;
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
  const auto undecodable = [&] {
    return make_error(DecodeErrc::undecodable,
                      "Could not decode message into any expected format: " + excerpt(frame));
  };
  if (parser_.parse_into_document(doc_, frame.data(), frame.size(), false).error() != simdjson::SUCCESS) {
    return undecodable();
  }
  Ctx ctx(Tape{doc_.tape.get(), doc_.string_buf.get()}, spare_nodes_, seen_);
  const Tape t = ctx.tape;
  constexpr std::size_t kRoot = 1;  // tape[0] is the root word
  if (t.type(kRoot) != '{') return undecodable();
  // Envelope members, exact names preferred; the last duplicate wins (as in Go).
  constexpr std::size_t none = 0;
  std::size_t type_exact = none, type_folded = none, message_exact = none, message_folded = none;
  std::size_t fields = 0;
  for (std::size_t i = kRoot + 1, end = t.end_of_scope(kRoot); i < end; i = t.after(i + 1), ++fields) {
    const std::string_view key = t.string(i);
    if (key == "type")
      type_exact = i + 1;
    else if (iequals(key, "type"))
      type_folded = i + 1;
    if (key == "message")
      message_exact = i + 1;
    else if (iequals(key, "message"))
      message_folded = i + 1;
  }
  const std::size_t type_at = type_exact != none ? type_exact : type_folded;
  const std::size_t message_at = message_exact != none ? message_exact : message_folded;
  if (type_at == none || t.type(type_at) != '"' || t.string(type_at).empty()) {
    // The connection-error form: exactly one key, a string value, one of the six exceptions.
    if (fields == 1) {
      const std::string_view key = t.string(kRoot + 1);
      if (is_exception_type(key) && t.type(kRoot + 2) == '"') {
        // Decoded as that exception (the one key is no member of it), with the text as "message".
        if (find_type(key)->decode(key, kRoot, ctx, out)) {
          std::visit(
              [&](auto& x) {
                if constexpr (requires { x.message; }) x.message = std::string(t.string(kRoot + 2));
              },
              out);
          return {};
        }
      }
    }
    return undecodable();
  }
  const std::string_view type = t.string(type_at);
  const TypeEntry* entry = find_type(type);
  if (entry == nullptr) {
    return make_error(DecodeErrc::unrecognized_type,
                      "Could not recognize given argument as a valid type: " + std::string(type));
  }
  if (message_at == none) {
    return make_error(DecodeErrc::missing_message, std::string(type) + ": the frame has no \"message\"");
  }
  return entry->decode(type, message_at, ctx, out);
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
