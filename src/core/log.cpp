#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <fstream>

#include "core/json_writer.h"

namespace ecs::log {
namespace {

struct State {
  std::mutex mutex;
  Config config;
};

State& state() {
  static State s;
  return s;
}

std::atomic<int> g_level{static_cast<int>(Level::info)};

std::string rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) return true;
  }
  return false;
}

void append_logfmt_value(std::string& out, std::string_view v, bool always_quote) {
  if (!always_quote && !needs_quotes(v)) {
    out.append(v);
    return;
  }
  out.push_back('"');
  for (unsigned char c : v) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

class StreamSink : public Sink {
 public:
  explicit StreamSink(Format f) : format_(f) {}
  void write(const Record& r) override {
    const std::string line = format_record(r, format_) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

 private:
  Format format_;
};

class FileSink : public Sink {
 public:
  FileSink(std::ofstream out, Format f) : out_(std::move(out)), format_(f) {}
  void write(const Record& r) override {
    out_ << format_record(r, format_) << '\n';
    out_.flush();
  }

 private:
  std::ofstream out_;
  Format format_;
};

}  // namespace

bool parse_level(std::string_view t, Level& out) {
  if (t == "debug")
    out = Level::debug;
  else if (t == "info")
    out = Level::info;
  else if (t == "warn")
    out = Level::warn;
  else if (t == "error")
    out = Level::error;
  else if (t == "crit" || t == "critical")
    out = Level::critical;
  else if (t == "none" || t == "off")
    out = Level::off;
  else
    return false;
  return true;
}

std::string_view level_name(Level l) {
  switch (l) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
    case Level::critical:
      return "crit";
    case Level::off:
      return "off";
  }
  return "info";
}

std::string format_record(const Record& r, Format format) {
  std::string out;
  if (format == Format::json) {
    JsonWriter w(out);
    w.begin_object();
    w.key("level").string(level_name(r.level));
    w.key("time").string(rfc3339(r.time));
    w.key("msg").string(r.message);
    w.key("module").string(r.module);
    for (const Field& f : *r.fields) w.key(f.key).string(f.value);
    w.end_object();
    return out;
  }
  out += "level=";
  out += level_name(r.level);
  out += " time=" + rfc3339(r.time) + " msg=";
  append_logfmt_value(out, r.message, true);
  out += " module=";
  append_logfmt_value(out, r.module, false);
  for (const Field& f : *r.fields) {
    out.push_back(' ');
    out.append(f.key);
    out.push_back('=');
    append_logfmt_value(out, f.value, false);
  }
  return out;
}

std::shared_ptr<Sink> make_stream_sink(Format format) { return std::make_shared<StreamSink>(format); }

std::shared_ptr<Sink> make_file_sink(const std::string& path, Format format, std::string* error) {
  std::ofstream out(path, std::ios::app);
  if (!out) {
    if (error != nullptr) *error = "cannot open log file '" + path + "' for appending";
    return nullptr;
  }
  return std::make_shared<FileSink>(std::move(out), format);
}

void MemorySink::write(const Record& record) {
  std::string line = format_record(record, format_);
  std::lock_guard lock(mutex_);
  lines_.push_back(std::move(line));
}

std::vector<std::string> MemorySink::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::string MemorySink::text() const {
  std::string all;
  for (const auto& l : lines()) all += l + "\n";
  return all;
}

void configure(Config config) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  g_level = static_cast<int>(config.level);
  s.config = std::move(config);
}

Level current_level() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }

void write(Level level, std::string_view message, std::vector<Field> fields, Where where) {
  std::string_view file = where.file;
  if (const auto slash = file.rfind('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
  const Record record{level, std::chrono::system_clock::now(), message, file, &fields};
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.config.sinks.empty()) {
    static const auto console = make_stream_sink(Format::logfmt);
    console->write(record);
    return;
  }
  for (const auto& sink : s.config.sinks) sink->write(record);
}

ScopedCapture::ScopedCapture(Level level) : sink_(std::make_shared<MemorySink>()) {
  State& s = state();
  {
    std::lock_guard lock(s.mutex);
    previous_ = s.config;
  }
  Config c = previous_;
  if (c.sinks.empty()) c.sinks.push_back(make_stream_sink(Format::logfmt));
  c.sinks.push_back(sink_);
  c.level = std::min(level, previous_.level);
  configure(std::move(c));
}

ScopedCapture::~ScopedCapture() { configure(previous_); }

}  // namespace ecs::log
