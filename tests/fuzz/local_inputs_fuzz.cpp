// libFuzzer target: everything the agent reads from its own host rather than from AWS — state
// checkpoint files and the state JSON in them, the LMDB store's records, and the Docker Engine's JSON answers
// and error bodies, the exec agent's persisted JSON. Must never crash, hang or leak; a state that decodes
// must encode and decode to the same state.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dockerapi/types.h"
#include "state/checkpoint.h"
#include "state/codec.h"
#include "state/legacy_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)ecs::state::decode_checkpoint(input, "fuzz");
  // The same bytes as a checkpoint's payload: a valid frame around hostile JSON.
  auto framed = ecs::state::decode_checkpoint(ecs::state::encode_checkpoint(1, input, 1), "fuzz");
  if (!framed || framed->payload != input) std::abort();
  if (auto state = ecs::state::legacy::decode_state(input)) {
    // Encoding is stable after one decode (omitted-when-empty members may drop once).
    const std::string encoded = ecs::state::legacy::encode_state(*state);
    auto again = ecs::state::legacy::decode_state(encoded);
    if (!again || ecs::state::legacy::encode_state(*again) != encoded) std::abort();
  }
  (void)ecs::task::managed_agent_from_json(input);
  // A task record of the LMDB store: decode -> encode -> decode is the same task.
  if (auto t = ecs::state::decode_task(input)) {
    const std::string encoded = ecs::state::encode_task(*t);
    auto again = ecs::state::decode_task(encoded);
    if (!again || !again->same_record(*t) || ecs::state::encode_task(*again) != encoded) std::abort();
  }
  (void)ecs::state::decode_instance(input);
  (void)ecs::state::decode_attachment(input);
  (void)ecs::dockerapi::parse_version(input);
  (void)ecs::dockerapi::parse_exec_inspect(input);
  (void)ecs::dockerapi::parse_container_inspect(input);
  (void)ecs::dockerapi::parse_image_inspect(input);
  (void)ecs::dockerapi::parse_top(input);
  (void)ecs::dockerapi::parse_id(input, "fuzz");
  (void)ecs::dockerapi::parse_error_message(input, true);
  return 0;
}
