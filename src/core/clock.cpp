#include "core/clock.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <map>

namespace ecs {

struct StopSource::State {
  std::mutex mutex;
  bool stopped = false;
  std::size_t next_id = 1;
  std::map<std::size_t, std::function<void()>> callbacks;
};

StopSource::StopSource() : state_(std::make_shared<State>()) {}

void StopSource::stop() {
  std::map<std::size_t, std::function<void()>> callbacks;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopped) return;
    state_->stopped = true;
    callbacks.swap(state_->callbacks);
  }
  for (auto& [id, fn] : callbacks) fn();
}

bool StopSource::stopped() const {
  std::lock_guard lock(state_->mutex);
  return state_->stopped;
}

std::size_t StopSource::on_stop(std::function<void()> fn) { return StopToken(*this).on_stop(std::move(fn)); }
void StopSource::forget(std::size_t id) { StopToken(*this).forget(id); }

bool StopToken::stopped() const {
  if (!state_) return false;
  std::lock_guard lock(state_->mutex);
  return state_->stopped;
}

std::size_t StopToken::on_stop(std::function<void()> fn) const {
  if (!state_) return 0;
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->stopped) {
      const std::size_t id = state_->next_id++;
      state_->callbacks.emplace(id, std::move(fn));
      return id;
    }
  }
  fn();
  return 0;
}

void StopToken::forget(std::size_t id) const {
  if (!state_ || id == 0) return;
  std::lock_guard lock(state_->mutex);
  state_->callbacks.erase(id);
}

asio::awaitable<bool> SteadyClock::sleep(duration d, const StopToken& stop) {
  if (stop.stopped()) co_return false;
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  const std::size_t id = stop.on_stop([&timer] { timer.cancel(); });
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  stop.forget(id);
  co_return !ec && !stop.stopped();
}

std::chrono::steady_clock::time_point ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return start_ + offset_;
}

std::chrono::system_clock::time_point ManualClock::wall_now() const {
  std::lock_guard lock(mutex_);
  return wall_start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(offset_);
}

void ManualClock::advance(duration d) {
  std::lock_guard lock(mutex_);
  offset_ += d;
}

std::vector<Clock::duration> ManualClock::sleeps() const {
  std::lock_guard lock(mutex_);
  return sleeps_;
}

asio::awaitable<bool> ManualClock::sleep(duration d, const StopToken& stop) {
  {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(d);
  }
  if (stop.stopped()) co_return false;
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  if (stop.stopped()) co_return false;
  advance(d);
  co_return true;
}

double RandomJitter::uniform() {
  std::lock_guard lock(mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

ExponentialBackoff::ExponentialBackoff(std::chrono::nanoseconds min, std::chrono::nanoseconds max,
                                       double jitter_fraction, double multiplier, Jitter& jitter)
    : min_(min),
      max_(max),
      current_(min),
      jitter_fraction_(jitter_fraction),
      multiplier_(multiplier),
      jitter_(jitter) {}

std::chrono::nanoseconds ExponentialBackoff::next() {
  const std::chrono::nanoseconds ret = current_;
  const auto grown = std::chrono::nanoseconds(
      static_cast<std::int64_t>(static_cast<double>(current_.count()) * multiplier_));
  current_ = std::min(max_, grown);
  const auto jitter_max = std::chrono::nanoseconds(
      static_cast<std::int64_t>(static_cast<double>(ret.count()) * jitter_fraction_));
  return jitter_.add(ret, jitter_max);
}

}  // namespace ecs
