// Streaming JSON output with correct escaping (control characters, quotes, backslashes;
// invalid UTF-8 replaced by U+FFFD so the output is always valid JSON).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ecs {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& string(std::string_view v);
  JsonWriter& number(std::int64_t v);
  JsonWriter& number_double(double v);
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  // Inserts already-serialized JSON as a value.
  JsonWriter& raw(std::string_view json);

 private:
  void separate();
  std::string& out_;
  bool need_comma_ = false;
};

// Appends `v` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view v);

}  // namespace ecs
