// libFuzzer target: an ACS frame through the decoder and the dispatch path. Any bytes must
// decode to a typed message or a typed error; a decoded message must survive encode -> decode
// unchanged; and every responder must handle it — with the agent's own collaborators (the
// payload intake and the task conversion of src/handlers) over the engine's in-memory stand-in —
// without a crash, a hang or a leak.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string_view>

#include "acs/codec.h"
#include "acs/responders/responder_set.h"
#include "support/in_memory_agent.h"

namespace {

using namespace ecs;
using namespace ecs::acs;

// A connection that delivers to the registered handlers and keeps what responders send.
class LoopbackClient : public Connection {
 public:
  explicit LoopbackClient(asio::any_io_executor ex) : ex_(ex) {}
  asio::awaitable<Result<void>> connect() override { co_return Result<void>(); }
  asio::awaitable<Error> serve(StopToken) override { co_return Error{}; }
  asio::awaitable<Result<void>> send(const Message& m) override {
    (void)encode(m);
    ++sent;
    co_return Result<void>();
  }
  void close() override {}
  void set_handler(std::string_view type, Handler h) override { handlers[std::string(type)] = std::move(h); }
  void set_any_message_hook(std::function<void()>) override {}
  void extend_read_deadline() override {}
  void clear_handlers() override { handlers.clear(); }
  asio::any_io_executor executor() const override { return ex_; }
  asio::awaitable<void> deliver(const Message& m) {
    auto it = handlers.find(std::string(type_name(m)));
    if (it != handlers.end()) {
      Handler h = it->second;
      co_await h(m);
    }
  }
  std::map<std::string, Handler> handlers;
  int sent = 0;

 private:
  asio::any_io_executor ex_;
};

class FixedDoctor : public Doctor {
 public:
  bool run_health_checks() override { return true; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Decoder decoder;
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  auto decoded = decoder.decode(frame);

  // Decoding in place over whatever the previous input left gives the same result.
  static Decoder in_place_decoder;
  static Message reused;
  auto in_place = in_place_decoder.decode_into(frame, reused);
  if (in_place.ok() != decoded.ok()) std::abort();
  if (!decoded) {
    if (in_place.error().message != decoded.error().message) std::abort();
    return 0;
  }
  if (!(reused == *decoded)) std::abort();
  // And parsed where it is, when followed by padding (as the websocket client hands frames over).
  static Decoder padded_decoder;
  static Message padded_reused;
  std::string buffer(frame);
  buffer.append(simdjson::SIMDJSON_PADDING, 'x');  // whatever the padding holds
  auto padded = padded_decoder.decode_padded_into(std::string_view(buffer.data(), size), padded_reused);
  if (!padded || !(padded_reused == *decoded)) std::abort();

  Decoder again;
  auto round_trip = again.decode(encode(*decoded));
  if (!round_trip || !(*round_trip == *decoded)) std::abort();  // the codec lost or changed something

  asio::io_context io;
  SteadyClock clock;
  test::InMemoryAgent agent(clock);
  (void)agent.handlers.manifest_id().set("tm-1");  // let a matching TaskStopVerificationAck act
  FixedDoctor doctor;
  NoMetrics metrics;
  const Collaborators c = agent.handlers.collaborators(doctor, metrics);
  ResponderSet responders(c, "20.10.24", {}, nullptr, nullptr);
  auto client = std::make_shared<LoopbackClient>(io.get_executor());
  responders.register_all(client);
  asio::co_spawn(io, client->deliver(*decoded), asio::detached);
  io.run();
  return 0;
}
