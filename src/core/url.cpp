#include "core/url.h"

#include <algorithm>
#include <charconv>

namespace ecs {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

Error bad_url(std::string_view text, const std::string& why) {
  return make_error(errc::make_error_code(errc::invalid_argument),
                    "invalid URL '" + std::string(text) + "': " + why);
}

}  // namespace

std::string Url::authority() const {
  std::string h;
  if (host.find(':') != std::string::npos) {  // IPv6 literal
    h.append("[").append(host).append("]");
  } else {
    h = host;
  }
  if (explicit_port) h.append(":").append(std::to_string(port));
  return h;
}

std::string Url::target() const { return query.empty() ? path : path + "?" + query; }

std::string Url::to_string() const {
  return scheme + "://" + (userinfo.empty() ? "" : userinfo + "@") + authority() + target();
}

Result<Url> parse_url(std::string_view text) {
  Url url;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return bad_url(text, "missing scheme");
  url.scheme = lower(text.substr(0, scheme_end));
  std::string_view rest = text.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    url.userinfo = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(text, "unterminated IPv6 literal");
    url.host = lower(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(text, "garbage after IPv6 literal");
      port_text = after.substr(1);
      url.explicit_port = true;
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      url.explicit_port = true;
    }
  }
  if (url.host.empty()) return bad_url(text, "missing host");
  if (url.explicit_port) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return bad_url(text, "invalid port '" + std::string(port_text) + "'");
    }
    url.port = static_cast<std::uint16_t>(port);
  } else if (url.scheme == "https" || url.scheme == "wss") {
    url.port = 443;
  } else if (url.scheme == "http" || url.scheme == "ws") {
    url.port = 80;
  }
  if (const auto hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);
  const auto q = tail.find('?');
  std::string_view path = tail.substr(0, q);
  url.path = path.empty() ? "/" : std::string(path);
  if (q != std::string_view::npos) url.query = std::string(tail.substr(q + 1));
  return url;
}

std::string percent_encode(std::string_view text, bool keep_slash, bool space_as_plus) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else if (space_as_plus && c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xf]);
    }
  }
  return out;
}

std::string percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string form_encode(std::vector<std::pair<std::string, std::string>> params) {
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += percent_encode(k, false, true);
    out.push_back('=');
    out += percent_encode(v, false, true);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> form_decode(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    if (!piece.empty()) {
      const auto eq = piece.find('=');
      out.emplace_back(
          percent_decode(piece.substr(0, eq), true),
          eq == std::string_view::npos ? std::string() : percent_decode(piece.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::optional<std::string> query_value(std::string_view query, std::string_view key) {
  for (auto& [k, v] : form_decode(query)) {
    if (k == key) return std::move(v);
  }
  return std::nullopt;
}

}  // namespace ecs
