// Google Benchmark main with ratios: each benchmark registered as "<name>" can name its
// baseline "<name>/baseline"-style pair via ecs::bench::compare(); after the run the console
// shows measured/baseline for every pair, computed from this run's own numbers.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ecs::bench {

inline std::vector<std::pair<std::string, std::string>>& pairs() {
  static std::vector<std::pair<std::string, std::string>> p;
  return p;
}

// After the run, print `measured` / `baseline` (mean real time per iteration).
inline void compare(std::string measured, std::string baseline) {
  pairs().emplace_back(std::move(measured), std::move(baseline));
}

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const std::string& name = r.run_name.function_name;
      // With repetitions, the median of them (robust against a noisy neighbour on a shared
      // host); otherwise the one run.
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median") {
        median_.insert(name);
      } else if (r.run_type != Run::RT_Iteration || median_.count(name)) {
        continue;
      }
      times_[name] = r.GetAdjustedRealTime();
      units_[name] = benchmark::GetTimeUnitString(r.time_unit);
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nRatios (measured / baseline, same run):\n");
    for (const auto& [m, b] : pairs()) {
      if (!times_.count(m) || !times_.count(b)) continue;
      std::printf("  %-40s / %-40s = %6.2fx   (%.3g %s vs %.3g %s)\n", m.c_str(), b.c_str(),
                  times_[m] / times_[b], times_[m], units_[m].c_str(), times_[b], units_[b].c_str());
    }
  }

 private:
  std::map<std::string, double> times_;
  std::map<std::string, std::string> units_;
  std::set<std::string> median_;
};

// `defaults` are flags put before the command line's, which can override them.
inline int run_main(int argc, char** argv, std::vector<std::string> defaults = {}) {
  std::vector<char*> args(argv, argv + argc);
  const std::size_t at = argc > 0 ? 1 : 0;  // after the program name
  args.insert(args.begin() + static_cast<std::ptrdiff_t>(at), defaults.size(), nullptr);
  for (std::size_t i = 0; i < defaults.size(); ++i) args[at + i] = defaults[i].data();
  argc = static_cast<int>(args.size());
  argv = args.data();
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace ecs::bench
