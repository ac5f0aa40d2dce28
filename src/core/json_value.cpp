#include "core/json_value.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "core/json_writer.h"

namespace ecs {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string double_text(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

constexpr int kMaxDepth = 64;

Result<JsonValue> convert(simdjson::dom::element e, int depth, error_code code, std::string_view what) {
  if (depth > kMaxDepth) {
    return make_error(code, std::string(what) + ": nested deeper than " + std::to_string(kMaxDepth));
  }
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::NULL_VALUE:
      return JsonValue();
    case T::BOOL:
      return JsonValue::boolean(bool(e.get_bool()));
    case T::INT64:
      return JsonValue::number(std::int64_t(e.get_int64()));
    case T::UINT64:
      return JsonValue::number_text(std::to_string(std::uint64_t(e.get_uint64())));
    case T::DOUBLE:
      return JsonValue::number_text(double_text(double(e.get_double())));
    case T::STRING:
      return JsonValue::string(std::string(std::string_view(e.get_string())));
    case T::ARRAY: {
      std::vector<JsonValue> items;
      for (auto item : e.get_array()) {
        auto v = convert(item, depth + 1, code, what);
        if (!v) return v.error();
        items.push_back(std::move(*v));
      }
      return JsonValue::array(std::move(items));
    }
    case T::OBJECT: {
      std::vector<JsonValue::Member> members;
      for (auto field : e.get_object()) {
        auto v = convert(field.value, depth + 1, code, what);
        if (!v) return v.error();
        members.emplace_back(std::string(field.key), std::move(*v));
      }
      return JsonValue::object(std::move(members));
    }
  }
  return make_error(code, std::string(what) + ": unexpected JSON value");
}

}  // namespace

JsonValue JsonValue::boolean(bool b) {
  JsonValue v;
  v.kind_ = Kind::boolean;
  v.bool_ = b;
  return v;
}

JsonValue JsonValue::number(std::int64_t n) {
  JsonValue v;
  v.kind_ = Kind::number;
  v.text_ = std::to_string(n);
  return v;
}

JsonValue JsonValue::number_text(std::string text) {
  JsonValue v;
  v.kind_ = Kind::number;
  v.text_ = std::move(text);
  return v;
}

JsonValue JsonValue::string(std::string s) {
  JsonValue v;
  v.kind_ = Kind::string;
  v.text_ = std::move(s);
  return v;
}

JsonValue JsonValue::array(std::vector<JsonValue> items) {
  JsonValue v;
  v.kind_ = Kind::array;
  v.items_ = std::move(items);
  return v;
}

JsonValue JsonValue::object(std::vector<Member> members) {
  JsonValue v;
  v.kind_ = Kind::object;
  v.members_ = std::move(members);
  return v;
}

JsonValue JsonValue::strings(const std::vector<std::string>& items) {
  std::vector<JsonValue> out;
  out.reserve(items.size());
  for (const auto& s : items) out.push_back(string(s));
  return array(std::move(out));
}

Result<JsonValue> JsonValue::parse(std::string_view text, error_code code, std::string_view what) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto err = parser.parse(text.data(), text.size()).get(root);
  if (err) return make_error(code, std::string(what) + ": not JSON: " + simdjson::error_message(err));
  return convert(root, 0, code, what);
}

std::string JsonValue::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

void JsonValue::dump_to(std::string& out) const {
  switch (kind_) {
    case Kind::null:
      out += "null";
      return;
    case Kind::boolean:
      out += bool_ ? "true" : "false";
      return;
    case Kind::number:
      out += text_;
      return;
    case Kind::string: {
      JsonWriter(out).string(text_);
      return;
    }
    case Kind::array: {
      out += '[';
      for (std::size_t i = 0; i < items_.size(); ++i) {
        if (i) out += ',';
        items_[i].dump_to(out);
      }
      out += ']';
      return;
    }
    case Kind::object: {
      out += '{';
      for (std::size_t i = 0; i < members_.size(); ++i) {
        if (i) out += ',';
        JsonWriter(out).string(members_[i].first);
        out += ':';
        members_[i].second.dump_to(out);
      }
      out += '}';
      return;
    }
  }
}

JsonValue* JsonValue::find(std::string_view key) {
  if (kind_ != Kind::object) return nullptr;
  for (auto& [k, v] : members_) {
    if (k == key) return &v;
  }
  return nullptr;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  return const_cast<JsonValue*>(this)->find(key);
}

JsonValue* JsonValue::find_go(std::string_view key) {
  if (JsonValue* exact = find(key)) return exact;
  if (kind_ != Kind::object) return nullptr;
  for (auto& [k, v] : members_) {
    if (iequals(k, key)) return &v;
  }
  return nullptr;
}

JsonValue& JsonValue::set(std::string key, JsonValue value) {
  if (kind_ == Kind::null) kind_ = Kind::object;
  if (JsonValue* existing = find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  members_.emplace_back(std::move(key), std::move(value));
  return members_.back().second;
}

void JsonValue::erase(std::string_view key) {
  std::erase_if(members_, [key](const Member& m) { return m.first == key; });
}

void JsonValue::merge_go(const JsonValue& patch, const std::vector<std::string_view>& map_fields) {
  merge_go(patch, map_fields, false);
}

void JsonValue::merge_go(const JsonValue& patch, const std::vector<std::string_view>& map_fields,
                         bool is_map) {
  if (patch.kind_ != Kind::object || kind_ != Kind::object) {
    *this = patch;
    return;
  }
  for (const auto& [key, value] : patch.members_) {
    JsonValue* target = is_map ? find(key) : find_go(key);
    if (value.is_null()) {
      if (target) std::erase_if(members_, [target](const Member& m) { return &m.second == target; });
      continue;
    }
    if (!target) {
      set(key, value);
      continue;
    }
    const std::string& name = key;  // (clang 14 cannot capture a structured binding)
    const bool child_is_map =
        !is_map && std::any_of(map_fields.begin(), map_fields.end(),
                               [&name](std::string_view f) { return iequals(f, name); });
    target->merge_go(value, map_fields, child_is_map);
  }
}

}  // namespace ecs
