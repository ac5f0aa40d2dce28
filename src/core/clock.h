// Time and randomness as injectable collaborators, so that timer behaviour (backoff, the 1 h
// inactive-instance wait, the 30–35 min periodic disconnect...) is tested in milliseconds.
//
// Boost 1.74's Asio has no per-operation cancellation, so waits take a StopToken: stopping its
// StopSource ends every wait registered with it at once (the wait returns false).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "core/asio.h"

namespace ecs {

// Cancellation shared by a group of waits (e.g. everything a session does).
class StopSource {
 public:
  StopSource();
  void stop();
  bool stopped() const;

  // Runs `fn` when stop() is called (at once if already stopped); returns a registration id.
  std::size_t on_stop(std::function<void()> fn);
  void forget(std::size_t id);

 private:
  struct State;
  friend class StopToken;
  std::shared_ptr<State> state_;
};

class StopToken {
 public:
  StopToken() = default;                                          // never stops
  StopToken(const StopSource& source) : state_(source.state_) {}  // NOLINT(google-explicit-constructor)
  bool stopped() const;
  std::size_t on_stop(std::function<void()> fn) const;
  void forget(std::size_t id) const;

 private:
  std::shared_ptr<StopSource::State> state_;
};

// Runs `fn` if `token` stops while this object lives; leaves the registration when it goes,
// however the scope ends (early co_return included).
class StopCallback {
 public:
  StopCallback(const StopToken& token, std::function<void()> fn)
      : token_(token), id_(token.on_stop(std::move(fn))) {}
  ~StopCallback() { token_.forget(id_); }
  StopCallback(const StopCallback&) = delete;
  StopCallback& operator=(const StopCallback&) = delete;

 private:
  StopToken token_;
  std::size_t id_;
};

class Clock {
 public:
  using duration = std::chrono::steady_clock::duration;
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() const = 0;
  virtual std::chrono::system_clock::time_point wall_now() const = 0;
  // Waits for `d`; true if the whole time passed, false if `stop` ended the wait first.
  virtual asio::awaitable<bool> sleep(duration d, const StopToken& stop = {}) = 0;
};

// Real time: steady_timer on the calling coroutine's executor.
class SteadyClock : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall_now() const override { return std::chrono::system_clock::now(); }
  asio::awaitable<bool> sleep(duration d, const StopToken& stop = {}) override;
};

// Virtual time for tests: sleep() records the requested duration, advances now() by it and
// completes immediately (after a post, so other coroutines run), unless already stopped.
class ManualClock : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override;
  std::chrono::system_clock::time_point wall_now() const override;
  asio::awaitable<bool> sleep(duration d, const StopToken& stop = {}) override;
  void advance(duration d);
  std::vector<duration> sleeps() const;

 private:
  mutable std::mutex mutex_;
  duration offset_{};
  std::vector<duration> sleeps_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::system_clock::time_point wall_start_ = std::chrono::system_clock::now();
};

// Uniform random numbers in [0, 1): the jitter source.
class Jitter {
 public:
  virtual ~Jitter() = default;
  virtual double uniform() = 0;
  // d + U[0, max)
  template <class D>
  D add(D d, D max) {
    return d + std::chrono::duration_cast<D>(max * uniform());
  }
};

class RandomJitter : public Jitter {
 public:
  RandomJitter() : engine_(std::random_device{}()) {}
  double uniform() override;

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

// Always the same value: makes jittered durations exact in tests.
class FixedJitter : public Jitter {
 public:
  explicit FixedJitter(double value) : value_(value) {}
  double uniform() override { return value_; }

 private:
  double value_;
};

// Exponential backoff as in the reference's utils/retry: next() returns current + jitter and
// then grows current by `multiplier` up to `max`; reset() returns to `min`.
class ExponentialBackoff {
 public:
  ExponentialBackoff(std::chrono::nanoseconds min, std::chrono::nanoseconds max, double jitter_fraction,
                     double multiplier, Jitter& jitter);
  std::chrono::nanoseconds next();
  void reset() { current_ = min_; }
  std::chrono::nanoseconds current() const { return current_; }

 private:
  std::chrono::nanoseconds min_, max_, current_;
  double jitter_fraction_, multiplier_;
  Jitter& jitter_;
};

}  // namespace ecs
