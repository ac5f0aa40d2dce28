// The agent's log: leveled, structured records written as logfmt (default) or JSON lines, like
// the reference agent's `level=info time=... msg="..." module=file.cpp key="val"`.
//
// Nothing here knows what a secret is: callers never pass secret keys, session tokens or
// credential bodies as messages or fields (tests grep whole runs' logs for them).
#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ecs::log {

enum class Level { debug = 0, info, warn, error, critical, off };

// Where a log call was made. (std::source_location is missing from clang 14 with libstdc++ 12;
// the builtins below exist in GCC, clang and MSVC.)
struct Where {
  const char* file;
  static constexpr Where here(const char* file = __builtin_FILE()) { return Where{file}; }
};
enum class Format { logfmt, json };

struct Field {
  std::string_view key;
  std::string value;
};

struct Record {
  Level level;
  std::chrono::system_clock::time_point time;
  std::string_view message;
  std::string_view module;  // source file name
  const std::vector<Field>* fields;
};

// Renders records in one format to a destination.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const Record& record) = 0;
};

// Parses debug|info|warn|error|crit|critical|none|off (the reference's ECS_LOGLEVEL names).
bool parse_level(std::string_view text, Level& out);
std::string_view level_name(Level level);

std::string format_record(const Record& record, Format format);

// Writes formatted records to stderr (the console sink) or to a file appended to.
std::shared_ptr<Sink> make_stream_sink(Format format);
std::shared_ptr<Sink> make_file_sink(const std::string& path, Format format, std::string* error);

// Keeps formatted lines in memory: for tests.
class MemorySink : public Sink {
 public:
  explicit MemorySink(Format format = Format::logfmt) : format_(format) {}
  void write(const Record& record) override;
  std::vector<std::string> lines() const;
  std::string text() const;

 private:
  Format format_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

struct Config {
  Level level = Level::info;
  std::vector<std::shared_ptr<Sink>> sinks;  // empty: stderr logfmt
};
void configure(Config config);
Level current_level();

void write(Level level, std::string_view message, std::vector<Field> fields, Where where);

// Adds a sink for the lifetime of the object (tests capture everything logged meanwhile).
class ScopedCapture {
 public:
  explicit ScopedCapture(Level level = Level::debug);
  ~ScopedCapture();
  const MemorySink& sink() const { return *sink_; }

 private:
  std::shared_ptr<MemorySink> sink_;
  Config previous_;
};

inline void debug(std::string_view m, std::vector<Field> f = {}, Where w = Where::here()) {
  if (current_level() <= Level::debug) write(Level::debug, m, std::move(f), w);
}
inline void info(std::string_view m, std::vector<Field> f = {}, Where w = Where::here()) {
  if (current_level() <= Level::info) write(Level::info, m, std::move(f), w);
}
inline void warn(std::string_view m, std::vector<Field> f = {}, Where w = Where::here()) {
  if (current_level() <= Level::warn) write(Level::warn, m, std::move(f), w);
}
inline void error(std::string_view m, std::vector<Field> f = {}, Where w = Where::here()) {
  if (current_level() <= Level::error) write(Level::error, m, std::move(f), w);
}
inline void critical(std::string_view m, std::vector<Field> f = {}, Where w = Where::here()) {
  if (current_level() <= Level::critical) write(Level::critical, m, std::move(f), w);
}

}  // namespace ecs::log
