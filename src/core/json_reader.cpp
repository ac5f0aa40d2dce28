#include "core/json_reader.h"

#include <simdjson.h>

#include <cctype>
#include <limits>

namespace ecs {

using simdjson::dom::element;

struct JsonReader::Parser {
  simdjson::dom::parser parser;
};

struct JsonObject::Impl {
  simdjson::dom::object object;
};

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::optional<element> find(simdjson::dom::object obj, std::string_view name, JsonReader::Names names) {
  std::optional<element> exact, folded;
  for (auto field : obj) {
    if (field.key == name) {
      exact = field.value;  // the last duplicate wins
    } else if (names == JsonReader::Names::go && !folded && iequals(field.key, name)) {
      folded = field.value;
    }
  }
  return exact ? exact : folded;
}

}  // namespace

JsonObject::JsonObject(JsonReader* reader, std::shared_ptr<const Impl> impl, std::string path)
    : reader_(reader), impl_(std::move(impl)), path_(std::move(path)) {}

std::string JsonObject::member_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

#define ECS_JSON_MEMBER(key)                               \
  auto found = find(impl_->object, key, reader_->names()); \
  if (!found || found->is_null()) return;                  \
  const element& v = *found

bool JsonObject::has(std::string_view key) const {
  auto found = find(impl_->object, key, reader_->names());
  return found && !found->is_null();
}

void JsonObject::get(std::string_view key, std::string& out) const {
  ECS_JSON_MEMBER(key);
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return reader_->fail(member_path(key), "is not a string");
  out.assign(s);
}

void JsonObject::get(std::string_view key, bool& out) const {
  ECS_JSON_MEMBER(key);
  if (v.get_bool().get(out) != simdjson::SUCCESS) reader_->fail(member_path(key), "is not a boolean");
}

void JsonObject::get(std::string_view key, std::int64_t& out) const {
  ECS_JSON_MEMBER(key);
  if (v.type() == simdjson::dom::element_type::INT64) {
    out = v.get_int64().value_unsafe();
  } else if (v.type() == simdjson::dom::element_type::UINT64) {
    reader_->fail(member_path(key), "is out of range");
  } else {
    reader_->fail(member_path(key), "is not an integer");
  }
}

void JsonObject::get(std::string_view key, int& out) const {
  std::int64_t wide = out;
  get(key, wide);
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    return reader_->fail(member_path(key), "is out of range");
  }
  out = static_cast<int>(wide);
}

void JsonObject::get(std::string_view key, std::uint16_t& out) const {
  std::int64_t wide = out;
  get(key, wide);
  if (wide < 0 || wide > 65535) return reader_->fail(member_path(key), "is not a port number");
  out = static_cast<std::uint16_t>(wide);
}

void JsonObject::get(std::string_view key, double& out) const {
  ECS_JSON_MEMBER(key);
  if (v.get_double().get(out) != simdjson::SUCCESS) {
    std::int64_t i = 0;
    if (v.get_int64().get(i) == simdjson::SUCCESS) {
      out = static_cast<double>(i);
      return;
    }
    reader_->fail(member_path(key), "is not a number");
  }
}

void JsonObject::get(std::string_view key, std::vector<std::string>& out) const {
  ECS_JSON_MEMBER(key);
  simdjson::dom::array arr;
  if (v.get_array().get(arr) != simdjson::SUCCESS)
    return reader_->fail(member_path(key), "is not an array of strings");
  std::vector<std::string> values;
  for (element item : arr) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS)
      return reader_->fail(member_path(key), "is not an array of strings");
    values.emplace_back(s);
  }
  out = std::move(values);
}

void JsonObject::get(std::string_view key, std::optional<std::vector<std::string>>& out) const {
  if (!has(key)) return;
  std::vector<std::string> values;
  get(key, values);
  out = std::move(values);
}

void JsonObject::get(std::string_view key, std::optional<int>& out) const {
  if (!has(key)) return;
  int value = 0;
  get(key, value);
  out = value;
}

void JsonObject::get(std::string_view key, std::map<std::string, std::string>& out) const {
  ECS_JSON_MEMBER(key);
  simdjson::dom::object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS)
    return reader_->fail(member_path(key), "is not an object of strings");
  std::map<std::string, std::string> values;
  for (auto field : obj) {
    std::string_view s;
    if (field.value.is_null()) {
      values[std::string(field.key)] = "";
      continue;
    }
    if (field.value.get_string().get(s) != simdjson::SUCCESS)
      return reader_->fail(member_path(key) + "." + std::string(field.key), "is not a string");
    values[std::string(field.key)] = std::string(s);
  }
  out = std::move(values);
}

std::optional<JsonObject> JsonObject::object(std::string_view key) const {
  auto found = find(impl_->object, key, reader_->names());
  if (!found || found->is_null()) return std::nullopt;
  simdjson::dom::object obj;
  if (found->get_object().get(obj) != simdjson::SUCCESS) {
    reader_->fail(member_path(key), "is not an object");
    return std::nullopt;
  }
  return JsonObject(reader_, std::make_shared<const Impl>(Impl{obj}), member_path(key));
}

void JsonObject::each(std::string_view key,
                      const std::function<void(const JsonObject&, std::size_t)>& fn) const {
  ECS_JSON_MEMBER(key);
  simdjson::dom::array arr;
  if (v.get_array().get(arr) != simdjson::SUCCESS) return reader_->fail(member_path(key), "is not an array");
  std::size_t i = 0;
  for (element item : arr) {
    const std::string path = member_path(key) + "[" + std::to_string(i) + "]";
    simdjson::dom::object obj;
    if (item.get_object().get(obj) != simdjson::SUCCESS) return reader_->fail(path, "is not an object");
    fn(JsonObject(reader_, std::make_shared<const Impl>(Impl{obj}), path), i);
    if (!reader_->ok()) return;
    ++i;
  }
}

void JsonObject::each_raw(std::string_view key,
                          const std::function<void(const std::string&, const std::string&)>& fn) const {
  ECS_JSON_MEMBER(key);
  simdjson::dom::array arr;
  if (v.get_array().get(arr) != simdjson::SUCCESS) return reader_->fail(member_path(key), "is not an array");
  std::size_t i = 0;
  for (element item : arr) {
    fn(simdjson::to_string(item), member_path(key) + "[" + std::to_string(i++) + "]");
    if (!reader_->ok()) return;
  }
}

std::string JsonObject::raw(std::string_view key) const {
  auto found = find(impl_->object, key, reader_->names());
  if (!found || found->is_null()) return {};
  return simdjson::to_string(*found);
}

void JsonObject::each_string(const std::function<void(std::string_view, std::string_view)>& fn) const {
  for (auto field : impl_->object) {
    std::string_view s;
    if (field.value.get_string().get(s) == simdjson::SUCCESS) fn(field.key, s);
  }
}

#undef ECS_JSON_MEMBER

JsonReader::JsonReader(std::string what, error_code error, Names names)
    : what_(std::move(what)), code_(error), names_(names), parser_(std::make_unique<Parser>()) {}

JsonReader::~JsonReader() = default;

std::optional<JsonObject> JsonReader::parse(std::string_view text) {
  element doc;
  if (parser_->parser.parse(text.data(), text.size()).get(doc) != simdjson::SUCCESS) {
    fail("", "is not JSON");
    return std::nullopt;
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    fail("", "is not a JSON object");
    return std::nullopt;
  }
  return JsonObject(this, std::make_shared<const JsonObject::Impl>(JsonObject::Impl{obj}), "");
}

void JsonReader::fail(const std::string& path, std::string_view message) {
  if (error_) return;
  error_ = (path.empty() ? std::string("the document") : path) + " " + std::string(message);
}

Error JsonReader::error() const { return make_error(code_, what_ + ": " + error_.value_or("no error")); }

}  // namespace ecs
