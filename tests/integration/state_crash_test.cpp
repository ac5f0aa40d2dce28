// Nothing lost, nothing mixed: a process committing a stream of state changes through the
// agent's LMDB store (each commit a task written, sometimes one removed, and the instance record)
// is killed with SIGKILL at random moments, many times; after each kill the state loaded is
// always the last commit it reported (or the one whose commit had returned but whose report was
// not yet written), never an older one and never a mixture of two commits.
//
// ECS_CRASH_ITERATIONS sets the number of kills (CI: 40; `make soak`: 1000). The random seed is
// printed so that a failure can be replayed with ECS_CRASH_SEED.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include "state/lmdb_repository.h"
#include "support/state_samples.h"
#include "support/temp_dir.h"

#ifndef ECS_STATE_WRITER
#error "ECS_STATE_WRITER must name the built tests/fixtures/state_writer"
#endif

namespace ecs::state {
namespace {

long env_number(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atol(v) : fallback;
}

struct Killed {
  std::string out;  // what the writer printed before it died
  int status = 0;
};

// Starts the writer, waits (at most 30 s) until it has committed once, lets it run for
// `run_for` more (so the kill lands mid-stream however slow the build, e.g. under ASan), kills it
// with SIGKILL and collects its output.
Killed run_and_kill(const std::string& dir, std::int64_t first, std::chrono::microseconds run_for) {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
  const std::string first_text = std::to_string(first);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    close(out_pipe[0]);
    close(out_pipe[1]);
    execl(ECS_STATE_WRITER, ECS_STATE_WRITER, dir.c_str(), first_text.c_str(), "1000000",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out_pipe[1]);
  Killed k;
  char buf[4096];
  ssize_t n;
  pollfd ready{out_pipe[0], POLLIN, 0};
  if (poll(&ready, 1, 30'000) == 1 && (n = read(out_pipe[0], buf, sizeof buf)) > 0) {
    k.out.append(buf, static_cast<std::size_t>(n));
  }
  std::this_thread::sleep_for(run_for);
  kill(pid, SIGKILL);
  waitpid(pid, &k.status, 0);
  while ((n = read(out_pipe[0], buf, sizeof buf)) > 0) k.out.append(buf, static_cast<std::size_t>(n));
  close(out_pipe[0]);
  return k;
}

std::int64_t last_number(const std::string& out, std::int64_t none) {
  if (out.empty()) return none;
  auto end = out.find_last_not_of('\n');
  if (end == std::string::npos) return none;
  const auto start = out.find_last_of('\n', end);
  return std::stoll(out.substr(start == std::string::npos ? 0 : start + 1,
                               end - (start == std::string::npos ? 0 : start + 1) + 1));
}

TEST(StateCrash, SigkillDuringAStreamOfChangesNeverLosesOrMixesState) {
  const long iterations = env_number("ECS_CRASH_ITERATIONS", 40);
  const auto seed =
      static_cast<unsigned>(env_number("ECS_CRASH_SEED", static_cast<long>(std::random_device{}())));
  std::printf("ECS_CRASH_SEED=%u ECS_CRASH_ITERATIONS=%ld\n", seed, iterations);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> micros(500, 40'000);

  test::TempDir dir;
  std::int64_t committed = 0;  // the newest state known to be committed (0: none yet)
  long fallbacks_seen = 0;
  for (long i = 0; i < iterations; ++i) {
    const Killed k = run_and_kill(dir.path(), committed + 1, std::chrono::microseconds(micros(random)));
    ASSERT_TRUE(WIFSIGNALED(k.status) && WTERMSIG(k.status) == SIGKILL)
        << "the writer ended on its own (status " << k.status << "): " << k.out;
    const std::int64_t reported = last_number(k.out, committed);

    auto store = LmdbRepository::open(dir.path());
    ASSERT_TRUE(store) << "iteration " << i << ": " << store.error().message;
    auto loaded = (*store)->load();
    ASSERT_TRUE(loaded) << "iteration " << i << ": " << loaded.error().message;
    const std::int64_t seq = loaded->instance.seq_num;
    // Never lost: at least the last reported commit. At most one more (committed, not yet reported).
    ASSERT_GE(seq, reported) << "iteration " << i << " lost committed state";
    ASSERT_LE(seq, reported + 1) << "iteration " << i;
    if (seq == 0) {
      EXPECT_EQ(loaded->instance, InstanceRecord{});
      EXPECT_TRUE(loaded->tasks.empty());
    } else {
      // Never mixed: exactly the records of that commit.
      ASSERT_EQ(loaded->instance, test::sample_instance(seq)) << "iteration " << i;
      const auto expected = test::sample_tasks_after(seq);
      ASSERT_EQ(loaded->tasks.size(), expected.size()) << "iteration " << i << " loaded a mixed state";
      for (const auto& t : loaded->tasks) {
        ASSERT_TRUE(expected.count(t.arn)) << "iteration " << i << ": " << t.arn << " should be gone";
        ASSERT_TRUE(t.same_record(expected.at(t.arn)))
            << "iteration " << i << " loaded a mixed state: " << t.arn;
      }
    }
    if (seq > reported) ++fallbacks_seen;
    committed = seq;
  }
  std::printf("kills: %ld, last committed state: %lld, kills right after a commit returned: %ld\n",
              iterations, static_cast<long long>(committed), fallbacks_seen);
  EXPECT_GE(committed, iterations);  // every run committed at least once before its kill
}

}  // namespace
}  // namespace ecs::state
