#include "core/digest.h"

#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <mbedtls/sha256.h>

namespace ecs {

Sha256 sha256(std::string_view data) {
  Sha256 out;
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), 0);
  return out;
}

Sha256 hmac_sha256(std::span<const std::uint8_t> key, std::string_view data) {
  Sha256 out;
  mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key.data(), key.size(),
                  reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

Sha256 hmac_sha256(std::string_view key, std::string_view data) {
  return hmac_sha256(std::span(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()), data);
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

std::string base64(std::span<const std::uint8_t> bytes) {
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
  std::size_t written = 0;
  mbedtls_base64_encode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &written, bytes.data(),
                        bytes.size());
  out.resize(written);
  return out;
}

std::string base64url(std::span<const std::uint8_t> bytes) {
  std::string out = base64(bytes);
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t written = 0;
  if (mbedtls_base64_decode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &written,
                            reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 0) {
    return std::nullopt;
  }
  out.resize(written);
  return out;
}

}  // namespace ecs
