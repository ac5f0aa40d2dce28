// Reading JSON documents into structs with errors that name the member at fault
// ("tasks[2].containers[0].cpu is not an integer"). One reader per document: it owns the parse
// and records the first error; getters leave their output untouched for an absent or null
// member. Member lookup is exact by default, or Go's encoding/json rule (exact name, else the
// first case-insensitive match) for answers from Go programs (Docker).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ecs {

class JsonReader;

// A view of one JSON object inside a reader's document.
class JsonObject {
 public:
  bool has(std::string_view key) const;
  void get(std::string_view key, std::string& out) const;
  void get(std::string_view key, bool& out) const;
  void get(std::string_view key, std::int64_t& out) const;
  void get(std::string_view key, int& out) const;
  void get(std::string_view key, std::uint16_t& out) const;
  void get(std::string_view key, double& out) const;
  void get(std::string_view key, std::vector<std::string>& out) const;
  void get(std::string_view key, std::optional<std::vector<std::string>>& out) const;
  void get(std::string_view key, std::optional<int>& out) const;
  void get(std::string_view key, std::map<std::string, std::string>& out) const;
  std::optional<JsonObject> object(std::string_view key) const;
  // fn(element, index) for each object of an array member.
  void each(std::string_view key, const std::function<void(const JsonObject&, std::size_t)>& fn) const;
  // fn(element's JSON text, element's path) for each element of an array member.
  void each_raw(std::string_view key,
                const std::function<void(const std::string&, const std::string&)>& fn) const;
  // The member's JSON text (for values kept opaque); empty when absent or null.
  std::string raw(std::string_view key) const;
  // fn(key, value) for every member whose value is a string.
  void each_string(const std::function<void(std::string_view, std::string_view)>& fn) const;
  const std::string& path() const { return path_; }

 private:
  friend class JsonReader;
  struct Impl;
  JsonObject(JsonReader* reader, std::shared_ptr<const Impl> impl, std::string path);
  std::string member_path(std::string_view key) const;
  JsonReader* reader_;
  std::shared_ptr<const Impl> impl_;
  std::string path_;
};

class JsonReader {
 public:
  enum class Names { exact, go };
  // `what` names the document in errors; `error` is the error code they carry.
  JsonReader(std::string what, error_code error, Names names = Names::exact);
  ~JsonReader();
  JsonReader(const JsonReader&) = delete;
  JsonReader& operator=(const JsonReader&) = delete;

  // The document's top-level object (nullopt and an error when it is not one).
  std::optional<JsonObject> parse(std::string_view text);
  // Records `path: message` unless an error is already recorded.
  void fail(const std::string& path, std::string_view message);
  bool ok() const { return !error_; }
  // The first error, as "<what>: <path> <message>".
  Error error() const;
  template <class T>
  Result<T> finish(T value) const {
    if (error_) return error();
    return value;
  }
  Names names() const { return names_; }

 private:
  struct Parser;
  std::string what_;
  error_code code_;
  Names names_;
  std::unique_ptr<Parser> parser_;
  std::optional<std::string> error_;
};

}  // namespace ecs
