#include "aws/http_client.h"

#include <curl/curl.h>
#include <mbedtls/ssl.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "core/error_category.h"

namespace ecs::aws {
namespace {

class HttpCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "http"; }
  std::string message(int ev) const override {
    switch (static_cast<HttpErrc>(ev)) {
      case HttpErrc::timeout:
        return "HTTP request timed out";
      case HttpErrc::resolve_failed:
        return "host name did not resolve";
      case HttpErrc::connect_failed:
        return "connection failed";
      case HttpErrc::tls_verification_failed:
        return "server certificate verification failed";
      case HttpErrc::tls_failed:
        return "TLS failure";
      case HttpErrc::transfer_failed:
        return "HTTP transfer failed";
      case HttpErrc::response_too_large:
        return "HTTP response too large";
      case HttpErrc::cancelled:
        return "HTTP request cancelled";
      case HttpErrc::proxy_failed:
        return "proxy failed";
    }
    return "HTTP error";
  }
};

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  HttpResponse response;
  std::size_t limit;
  bool too_large = false;
  const std::atomic<bool>* cancel;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t bytes = size * n;
  if (t->response.body.size() + bytes > t->limit) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  t->response.body.append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    t->response.headers.clear();  // a new response (e.g. after a proxy's CONNECT reply)
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    t->response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return t->cancel != nullptr && t->cancel->load() ? 1 : 0;
}

CURLcode install_trust(CURL*, void* ssl_config, void* user) {
  auto* trust = static_cast<const tls::TrustStore*>(user);
  mbedtls_ssl_conf_ca_chain(static_cast<mbedtls_ssl_config*>(ssl_config), trust->chain(), nullptr);
  return CURLE_OK;
}

HttpErrc classify(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return HttpErrc::timeout;
    case CURLE_COULDNT_RESOLVE_HOST:
      return HttpErrc::resolve_failed;
    case CURLE_COULDNT_CONNECT:
      return HttpErrc::connect_failed;
    case CURLE_PEER_FAILED_VERIFICATION:
      return HttpErrc::tls_verification_failed;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return HttpErrc::tls_failed;
    case CURLE_ABORTED_BY_CALLBACK:
      return HttpErrc::cancelled;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_PROXY:
      return HttpErrc::proxy_failed;
    default:
      return HttpErrc::transfer_failed;
  }
}

}  // namespace

const boost::system::error_category& http_category() {
  static const HttpCategory c;
  return c;
}

error_code make_error_code(HttpErrc e) { return {static_cast<int>(e), http_category()}; }

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return std::nullopt;
}

// Idle curl handles of one client (and its copies). A handle keeps its own connection cache, so
// only one thread uses a handle at a time and no connection is shared between threads (libcurl
// documents a shared connection cache as unsafe across threads).
struct HttpClient::Handles {
  std::mutex mutex;
  std::vector<CURL*> idle;

  Handles() = default;
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;
  ~Handles() {
    for (CURL* h : idle) curl_easy_cleanup(h);
  }

  CURL* take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  // Options go back to their defaults (the pointers into the finished request with them); the
  // connections, DNS and TLS session caches stay.
  void give_back(CURL* h) {
    curl_easy_reset(h);
    std::lock_guard lock(mutex);
    if (idle.size() < kMaxIdleHandles) {
      idle.push_back(h);
      return;
    }
    curl_easy_cleanup(h);  // more requests ran at once than are usually kept
  }
};

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)), handles_(std::make_shared<Handles>()) {
  global_init();
}

Result<HttpResponse> HttpClient::perform(const HttpRequest& request, const std::atomic<bool>* cancel) const {
  auto parsed = parse_url(request.url);
  if (!parsed) return parsed.error();
  Transfer transfer{{}, options_.max_response_bytes, false, cancel};
  char error_text[CURL_ERROR_SIZE] = {};
  // Declared after what the handle points into, so it goes back (and is reset) before they go.
  auto give_back = [pool = handles_](CURL* handle) { pool->give_back(handle); };
  std::unique_ptr<CURL, decltype(give_back)> curl(handles_->take(), give_back);
  if (!curl) return make_error(HttpErrc::transfer_failed, "cannot create an HTTP handle");
  CURL* h = curl.get();

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &transfer);
  // Verification is never turned off; the chain is the agent's trust store.
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (options_.trust) {
    curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, &install_trust);
    curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, const_cast<tls::TrustStore*>(options_.trust.get()));
  }
  // The proxy is always decided here; "" stops libcurl from reading proxy variables itself.
  std::string proxy;
  if (request.use_proxy) {
    if (auto p = options_.proxy.proxy_for(*parsed)) proxy = p->to_string();
  }
  curl_easy_setopt(h, CURLOPT_PROXY, proxy.c_str());

  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_slist* headers = nullptr;
  std::string line;
  for (const auto& [k, v] : request.headers) {
    line.assign(k).append(": ").append(v);
    headers = curl_slist_append(headers, line.c_str());
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  if (request.method != "GET" && request.method != "HEAD" &&
      std::none_of(request.headers.begin(), request.headers.end(),
                   [](const auto& kv) { return kv.first == "Content-Type"; })) {
    headers = curl_slist_append(headers, "Content-Type:");  // libcurl would add a form type
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

  const CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    const std::string where =
        request.method + " " + parsed->scheme + "://" + parsed->authority() + parsed->path;
    if (transfer.too_large) {
      return make_error(HttpErrc::response_too_large,
                        where + ": response over " + std::to_string(options_.max_response_bytes) + " bytes");
    }
    const HttpErrc kind = classify(rc);
    std::string detail = error_text[0] != '\0' ? error_text : curl_easy_strerror(rc);
    return make_error(kind, where + ": " + make_error_code(kind).message() + " (" + detail + ")");
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<unsigned>(status);
  return std::move(transfer.response);
}

}  // namespace ecs::aws
