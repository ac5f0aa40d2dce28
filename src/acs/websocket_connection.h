// The real ACS connection: wsclient's dialer and connection, with the ACS codec on top. The one
// place where acs/ meets wsclient/ (only websocket_connection.cpp includes it): the transport's
// permissible end becomes AcsErrc::reconnect_now, its cancellation AcsErrc::cancelled, a write
// without a connection AcsErrc::not_connected.
#pragma once

#include <memory>

#include "acs/connection.h"
#include "acs/interfaces.h"

namespace ecs::wsclient {
struct DialOptions;
struct ConnectionOptions;
}  // namespace ecs::wsclient

namespace ecs::acs {

std::shared_ptr<Connection> make_websocket_connection(asio::any_io_executor executor, Url url,
                                                      const wsclient::DialOptions& dial,
                                                      const wsclient::ConnectionOptions& options,
                                                      Jitter& jitter, Metrics& metrics);

class WebsocketConnectionFactory : public ConnectionFactory {
 public:
  WebsocketConnectionFactory(asio::any_io_executor executor, const wsclient::DialOptions& dial,
                             const wsclient::ConnectionOptions& options, Jitter& jitter, Metrics& metrics);
  ~WebsocketConnectionFactory() override;
  std::shared_ptr<Connection> make(const Url& url) override;

 private:
  struct Settings;
  asio::any_io_executor executor_;
  std::unique_ptr<Settings> settings_;
  Jitter& jitter_;
  Metrics& metrics_;
};

}  // namespace ecs::acs
