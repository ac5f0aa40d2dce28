// A mutable JSON document, for the few places that must edit JSON they do not model: the task
// engine merges ACS's dockerConfig strings over the create body it builds, with Go's
// json.Unmarshal-into-an-existing-value rule, and sends Docker the result — including members the
// agent knows nothing about. Members keep their order; integers keep their exact value, so
// nanosecond durations and 64-bit sizes go through unchanged.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ecs {

class JsonValue {
 public:
  enum class Kind : std::uint8_t { null, boolean, number, string, array, object };
  using Member = std::pair<std::string, JsonValue>;

  JsonValue() = default;  // null
  static JsonValue boolean(bool b);
  static JsonValue number(std::int64_t n);
  static JsonValue number_text(std::string text);  // a number given as its JSON text
  static JsonValue string(std::string s);
  static JsonValue array(std::vector<JsonValue> items = {});
  static JsonValue object(std::vector<Member> members = {});
  static JsonValue strings(const std::vector<std::string>& items);  // ["a","b"]

  // Errors carry `code`, and name `what` and the parser's reason.
  static Result<JsonValue> parse(std::string_view text, error_code code, std::string_view what);
  std::string dump() const;

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_object() const { return kind_ == Kind::object; }
  bool as_bool() const { return bool_; }
  // A number's JSON text or a string's value.
  const std::string& text() const { return text_; }
  std::vector<JsonValue>& items() { return items_; }
  const std::vector<JsonValue>& items() const { return items_; }
  std::vector<Member>& members() { return members_; }
  const std::vector<Member>& members() const { return members_; }

  // Object member by exact name (nullptr when absent or not an object).
  JsonValue* find(std::string_view key);
  const JsonValue* find(std::string_view key) const;
  // Go's encoding/json field match: the exact name, else the first case-insensitive one.
  JsonValue* find_go(std::string_view key);
  // Sets (replacing) or appends a member; turns a null into an object first.
  JsonValue& set(std::string key, JsonValue value);
  void erase(std::string_view key);

  // Go's json.Unmarshal of `patch` into this value, as the reference decodes dockerConfig into
  // the structs it has filled: an object merges member by member (a struct's fields matched as
  // Go does, case-insensitively; the members of a map-typed field — `map_fields` names them —
  // by exact key), arrays and scalars replace, null resets the member to its zero value (here:
  // removes it).
  void merge_go(const JsonValue& patch, const std::vector<std::string_view>& map_fields);

 private:
  void merge_go(const JsonValue& patch, const std::vector<std::string_view>& map_fields, bool is_map);
  void dump_to(std::string& out) const;

  Kind kind_ = Kind::null;
  bool bool_ = false;
  std::string text_;
  std::vector<JsonValue> items_;
  std::vector<Member> members_;
};

}  // namespace ecs
