#include "state/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/digest.h"
#include "core/file.h"
#include "core/log.h"

namespace ecs::state {

namespace {

constexpr std::string_view kMagic = "ECSSTATE";
constexpr std::uint32_t kFormat = 1;
constexpr std::size_t kHeaderBytes = 8 + 4 + 8 + 8 + 8;
constexpr std::size_t kTrailerBytes = 32;

template <class T>
void put(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

template <class T>
T get(std::string_view in, std::size_t at) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<T>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

Error io_error(const std::string& what, const std::string& path, int err) {
  std::string message = what;
  message.append(" '").append(path).append("': ").append(std::strerror(err));
  return make_error(StateErrc::io, message);
}

Result<void> write_all_and_sync(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", path, errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return io_error("cannot write", path, err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return io_error("cannot sync", path, err);
  }
  if (::close(fd) != 0) return io_error("cannot close", path, errno);
  return {};
}

Result<void> sync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open directory", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot sync directory", dir, err);
  return {};
}

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

}  // namespace

std::string encode_checkpoint(std::uint64_t generation, std::string_view payload, int zstd_level) {
  std::string frame(ZSTD_compressBound(payload.size()), '\0');
  const std::size_t n = ZSTD_compress(frame.data(), frame.size(), payload.data(), payload.size(), zstd_level);
  frame.resize(ZSTD_isError(n) ? 0 : n);  // compressing into compressBound bytes cannot fail
  std::string out;
  out.reserve(kHeaderBytes + frame.size() + kTrailerBytes);
  out.append(kMagic);
  put<std::uint32_t>(out, kFormat);
  put<std::uint64_t>(out, generation);
  put<std::uint64_t>(out, payload.size());
  put<std::uint64_t>(out, frame.size());
  out.append(frame);
  const Sha256 digest = sha256(out);
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return out;
}

Result<Checkpoint> decode_checkpoint(std::string_view bytes, std::string_view what) {
  auto corrupt = [&](const std::string& why) {
    std::string message(1, '\'');  // (not "'" + ...: GCC 12's -Wrestrict misfires on it)
    message.append(what).append("' is not a valid checkpoint: ").append(why);
    return make_error(StateErrc::corrupt, message);
  };
  if (bytes.size() < kHeaderBytes + kTrailerBytes) {
    return corrupt("truncated (" + std::to_string(bytes.size()) + " bytes)");
  }
  if (bytes.substr(0, kMagic.size()) != kMagic) return corrupt("wrong magic");
  const auto format = get<std::uint32_t>(bytes, 8);
  if (format != kFormat) return corrupt("format " + std::to_string(format) + " is not 1");
  const auto generation = get<std::uint64_t>(bytes, 12);
  const auto size = get<std::uint64_t>(bytes, 20);
  const auto compressed = get<std::uint64_t>(bytes, 28);
  if (compressed != bytes.size() - kHeaderBytes - kTrailerBytes) {
    return corrupt("truncated or extended (the header announces " + std::to_string(compressed) +
                   " compressed bytes)");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - kTrailerBytes);
  const Sha256 digest = sha256(body);
  if (std::memcmp(digest.data(), bytes.data() + body.size(), digest.size()) != 0)
    return corrupt("checksum mismatch");
  if (size > kMaxPayloadBytes) return corrupt("payload of " + std::to_string(size) + " bytes is too large");
  Checkpoint c;
  c.generation = generation;
  c.payload.resize(size);
  const std::size_t n =
      ZSTD_decompress(c.payload.data(), c.payload.size(), bytes.data() + kHeaderBytes, compressed);
  if (ZSTD_isError(n)) return corrupt(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != size) return corrupt("decompressed size differs from the header");
  return c;
}

CheckpointFile::CheckpointFile(std::string dir, std::string name)
    : dir_(std::move(dir)),
      current_(dir_ + "/" + name),
      previous_(dir_ + "/" + name + ".prev"),
      temporary_(dir_ + "/" + name + ".tmp") {}

Result<std::optional<Checkpoint>> CheckpointFile::load() {
  std::error_code ec;
  std::filesystem::remove(temporary_, ec);  // an uncommitted write of a crashed run
  std::optional<Checkpoint> best;
  std::string failures;
  bool any_file = false;
  for (const std::string* path : {&current_, &previous_}) {
    if (!exists(*path)) continue;
    any_file = true;
    auto bytes = read_file(*path);
    Result<Checkpoint> decoded = bytes ? decode_checkpoint(*bytes, *path) : Result<Checkpoint>(bytes.error());
    if (!decoded) {
      log::warn("state checkpoint unusable", {{"file", *path}, {"error", decoded.error().message}});
      failures += (failures.empty() ? "" : "; ") + decoded.error().message;
      continue;
    }
    if (!best || decoded->generation > best->generation) best = std::move(*decoded);
  }
  if (!best) {
    if (any_file) return make_error(StateErrc::corrupt, "no usable state checkpoint: " + failures);
    return std::optional<Checkpoint>();
  }
  if (!failures.empty() || !exists(current_)) {
    log::warn("using the previous state generation",
              {{"generation", std::to_string(best->generation)}, {"file", previous_}});
  }
  generation_ = best->generation;
  return best;
}

Result<std::uint64_t> CheckpointFile::save(std::string_view payload) {
  const std::uint64_t next = generation_ + 1;
  auto written = write_all_and_sync(temporary_, encode_checkpoint(next, payload));
  if (!written) return written.error();
  if (exists(current_) && ::rename(current_.c_str(), previous_.c_str()) != 0) {
    return io_error("cannot keep the previous generation", current_, errno);
  }
  if (::rename(temporary_.c_str(), current_.c_str()) != 0) return io_error("cannot commit", current_, errno);
  auto synced = sync_dir(dir_);
  if (!synced) return synced.error();
  generation_ = next;
  return next;
}

}  // namespace ecs::state
