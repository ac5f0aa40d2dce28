// Typed errors for the whole agent: an error code saying *what kind* of failure happened
// (so callers branch on kinds, never on message substrings) plus a message for humans that
// names the bad input. Result<T> carries either a value or such an error.
#pragma once

#include <boost/system/error_code.hpp>
#include <cassert>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace ecs {

// The project's one error-code type: Asio and Beast report boost::system::error_code, and Boost
// 1.74 converts it to std::error_code but not back, so our own categories are Boost ones too.
using error_code = boost::system::error_code;
namespace errc = boost::system::errc;

// A std::error_code from the standard library (e.g. std::filesystem) as an error_code.
error_code from_std(const std::error_code& ec);

struct Error {
  error_code code;
  std::string message;  // complete sentence for logs; never contains secrets

  // "message" when it already says everything, else "message: <code's description>".
  std::string describe() const;
};

template <class T>
class [[nodiscard]] Result {
 public:
  // A Result that was never given a value (Asio's co_spawn needs one for its exception path).
  Result() : v_(Error{errc::make_error_code(errc::operation_canceled), "no result"}) {}
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(failed_);
    return error_;
  }

 private:
  Error error_;
  bool failed_ = false;
};

inline Error make_error(error_code code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace ecs
