// The durable checkpoint (issue 6, point 3): one zstd-compressed file per generation, written
// atomically, with the previous generation kept.
//
// File layout (little-endian):
//   "ECSSTATE" | u32 format (1) | u64 generation | u64 uncompressed size | u64 compressed size |
//   zstd frame | SHA-256 of everything before it
// A torn, truncated or altered file fails the size or checksum test and is never decoded.
//
// save(): write <name>.tmp, fsync, rename <name> to <name>.prev, rename <name>.tmp to <name>,
// fsync the directory. At every instant the newest committed generation is <name>, or, in the
// window between the two renames, <name>.prev. load() takes the newest valid one and says so in
// a clear log line when it had to fall back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "state/errors.h"

namespace ecs::state {

struct Checkpoint {
  std::uint64_t generation = 0;
  std::string payload;
};

// The pure parts (also fuzzed). `what` names the file in errors.
std::string encode_checkpoint(std::uint64_t generation, std::string_view payload, int zstd_level = 3);
Result<Checkpoint> decode_checkpoint(std::string_view bytes, std::string_view what);

inline constexpr std::size_t kMaxPayloadBytes = 256u << 20;  // refuses absurd sizes before allocating

class CheckpointFile {
 public:
  // Files live in `dir` as <name>, <name>.prev and <name>.tmp.
  CheckpointFile(std::string dir, std::string name = "ecs-agent-state");

  // The newest valid generation, or nullopt when there is none yet (a first start). Both
  // generations present and invalid: StateErrc::corrupt naming both files.
  Result<std::optional<Checkpoint>> load();

  // Commits `payload` as the next generation; returns its number.
  Result<std::uint64_t> save(std::string_view payload);

  const std::string& current_path() const { return current_; }
  const std::string& previous_path() const { return previous_; }
  const std::string& temporary_path() const { return temporary_; }

 private:
  std::string dir_;
  std::string current_;
  std::string previous_;
  std::string temporary_;
  std::uint64_t generation_ = 0;
};

}  // namespace ecs::state
