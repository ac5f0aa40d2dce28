# The two commands a newcomer needs on a fresh Debian 12 machine:
#   make run    set everything up, build, and run the agent against a local control plane
#   make test   set everything up and pass every test (the real-dockerd ones included)
# Everything else is listed by `make help`.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
IMAGE_TAG  ?= ecs-agent:latest
VERSION    := $(shell head -n1 VERSION)

DEPS := scripts/deps.sh
DEPS_MODE  ?= install
BUILD_TESTS ?= ON
# ccache is found when configuring (after `deps` may have installed it); CCACHE_BASEDIR makes
# clones in different directories share cache hits.
export CCACHE_BASEDIR := $(CURDIR)
LAUNCHER = $$(command -v ccache >/dev/null && echo -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# configure(dir, toolchain, extra args): (re)configure a build tree against the dependency cache.
define configure
	cmake -S . -B $(1) -G Ninja -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/toolchains/$(2).cmake $(LAUNCHER) \
	  -DECS_CURL_PREFIX="$$($(DEPS) prefix curl)" -DECS_SIMDJSON_PREFIX="$$($(DEPS) prefix simdjson)" $(3) >/dev/null
endef

.PHONY: help
help:
	@echo "make test             set up, build, and run every test (needs root for the Docker engine)"
	@echo "make check            build and run every test on the static build only"
	@echo "make build            build the static binary $(BUILD)/ecs-agent"
	@echo "make package          build the .deb and .rpm (packaging/) into $(BUILD)/"
	@echo "make image            build the FROM-scratch image $(IMAGE_TAG) and $(BUILD)/ecs-agent-image.tar"
	@echo "make asan             build and run the tests under AddressSanitizer + UBSan"
	@echo "make fuzz             build the libFuzzer targets and run each FUZZ_SECONDS (default 60)"
	@echo "make bench            build and run the benchmarks (ratios against in-run baselines)"
	@echo "make run              the agent against ecs-local-control-plane on this machine (Ctrl-C stops)"
	@echo "make soak             SIGKILL test (SOAK_KILLS kills) and memory soak (SOAK_MINUTES minutes)"
	@echo "make deps             install every dependency (idempotent)"
	@echo "make format           clang-format the sources; make format-check only checks"
	@echo "make bootstrap-image  make a local Debian bookworm base image (debootstrap, no registry)"
	@echo "make build-in-docker  build the static binary inside Dockerfile.build"
	@echo "make clean            remove the build trees"

.PHONY: deps
deps:
	@$(DEPS) $(DEPS_MODE)

.PHONY: build
build: deps
	@$(call configure,$(BUILD),linux-static,-DECS_BUILD_TESTS=$(BUILD_TESTS))
	cmake --build $(BUILD) -j $(JOBS)
	@file $(BUILD)/ecs-agent

# `make test` is what CI runs (.ci/run): the format check, every test on the static build (the
# layer check and the shell-script check among them), clang-tidy on the src/ files the last
# TEST_TIDY_BASE commits changed (a window that covers the commits one CI run lands; the whole
# tree was clean when this went in), then the sanitizer build's tests, then every fuzz target
# for FUZZ_SECONDS.
TEST_TIDY_BASE ?= HEAD~10
.PHONY: test
test: format-check check
	$(MAKE) tidy TIDY_BASE=$(TEST_TIDY_BASE)
	$(MAKE) asan
	$(MAKE) fuzz

# ctest runs the unit, integration and real-dockerd tests; the Docker engine is started and
# stopped by ctest fixtures (tests/dockerd/dockerd.sh).
.PHONY: check
check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# The sanitizer build runs the unit and integration tests; the real-dockerd tests and the package
# tests (shell scripts around the shipped static binary, which the sanitizer binary is not) run on
# the static build only.
.PHONY: asan
asan: deps
	@$(call configure,$(ASAN_BUILD),linux-sanitize,)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 600 --label-exclude 'docker|packaging'

# libFuzzer targets (clang + ASan/UBSan), each run FUZZ_SECONDS from its committed seed corpus;
# new inputs go to $(FUZZ_BUILD)/corpus, crashes to $(FUZZ_BUILD)/artifacts and fail the run.
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz: deps
	@$(call configure,$(FUZZ_BUILD),linux-fuzz,)
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@for t in $(FUZZ_BUILD)/tests/fuzz/*_fuzz; do \
	  name=$$(basename $$t _fuzz); log=$(FUZZ_BUILD)/$$name.log; \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$name $(FUZZ_BUILD)/artifacts; \
	  echo "== $$name: $(FUZZ_SECONDS)s from tests/fuzz/corpus/$$name"; \
	  if ! $$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	      -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$name- $(FUZZ_BUILD)/corpus/$$name tests/fuzz/corpus/$$name \
	      >$$log 2>&1; then \
	    tail -n 40 $$log; echo "$$name FAILED (log $$log, inputs in $(FUZZ_BUILD)/artifacts)"; exit 1; \
	  fi; \
	  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' $$log | tr '\n' ' '; echo; \
	done

# Benchmarks: a Release build (same toolchain) with the benchmark programs; each prints its
# ratios against the baseline measured in the same run.
BENCH_BUILD ?= build-bench
.PHONY: bench
bench: deps
	@$(call configure,$(BENCH_BUILD),linux-static,-DECS_BUILD_BENCHMARKS=ON)
	cmake --build $(BENCH_BUILD) -j $(JOBS) --target benchmarks
	@for b in $(BENCH_BUILD)/tests/bench/*_bench; do echo "== $$(basename $$b)"; $$b --benchmark_min_time=0.5; done

# The agent against the local control plane (no AWS needed); Ctrl-C stops both.
.PHONY: run
run: build
	scripts/run-local.sh $(BUILD)

# The long reliability runs: the durable-state SIGKILL test (CI runs 40 kills inside
# `make check`) and the agent's memory over SOAK_MINUTES of heartbeats and payloads.
SOAK_KILLS ?= 1000
SOAK_AGENT_KILLS ?= 200
SOAK_MINUTES ?= 30
.PHONY: soak
soak: build
	ECS_CRASH_ITERATIONS=$(SOAK_KILLS) $(BUILD)/tests/ecs_state_crash_tests
	ECS_AGENT_CRASH_ITERATIONS=$(SOAK_AGENT_KILLS) $(BUILD)/tests/ecs_agent_e2e_tests \
	  --gtest_filter='AgentE2E.SigkillWhilePayloadsStreamNeverLosesAnAcknowledgedTask'
	SOAK_MINUTES=$(SOAK_MINUTES) $(BUILD)/tests/agent_memory_soak $(BUILD)/ecs-agent $(BUILD)/soak

# The .deb and .rpm of the static binary: version from VERSION, the changelog entry from
# packaging/changelog; the files they install are README.md's "Packages" table.
.PHONY: package
package: build
	packaging/build-packages.sh $(BUILD)/ecs-agent $(BUILD)

.PHONY: image
image: build
	docker/with-engine.sh docker/build-image.sh $(BUILD)/ecs-agent $(IMAGE_TAG) $(BUILD)/ecs-agent-image.tar

# A Debian bookworm base image made locally with debootstrap and `docker import`, for machines
# that cannot pull one from a registry. Uses the Docker engine that answers, else a private one.
BASE_IMAGE ?= ecs-agent-build-base:bookworm
.PHONY: bootstrap-image
bootstrap-image:
	@$(DEPS) install-extra
	docker/with-engine.sh docker/bootstrap-base-image.sh $(BASE_IMAGE)

# Builds the same static binary inside Dockerfile.build (on BASE_IMAGE) and copies it out to
# $(BUILD)-docker/ecs-agent.
.PHONY: build-in-docker
build-in-docker:
	@$(DEPS) install-extra
	docker/with-engine.sh docker/build-in-docker.sh $(BASE_IMAGE) $(BUILD)-docker/ecs-agent

# clang-tidy (.clang-tidy: bugprone-*, performance-*) on the .cpp files of src/ changed since
# TIDY_BASE, against the static build's compile commands (files this build does not compile,
# such as src/platform/windows/, are named and left out).
TIDY_BASE ?= HEAD~1
.PHONY: tidy
tidy: build
	@if ! git rev-parse -q --verify $(TIDY_BASE) >/dev/null; then \
	  echo "tidy: SKIPPED: TIDY_BASE=$(TIDY_BASE) is not a commit of this clone (shallow?)"; exit 0; fi
	@changed=$$(git diff --name-only --diff-filter=AM $(TIDY_BASE) -- 'src/*.cpp' 'src/**/*.cpp'); \
	files=; for f in $$changed; do \
	  if grep -qF "\"file\": \"$(CURDIR)/$$f\"" $(BUILD)/compile_commands.json; then files+=" $$f"; \
	  else echo "tidy: $$f is not compiled by this build; not checked"; fi; done; \
	if [[ -z $$files ]]; then echo "tidy: no source of this build changed since $(TIDY_BASE)"; exit 0; fi; \
	echo "tidy: $$(wc -w <<<"$$files") file(s) changed since $(TIDY_BASE)"; \
	clang-tidy -p $(BUILD) --quiet --extra-arg=-DBOOST_ASIO_HAS_CO_AWAIT \
	  --extra-arg=-DBOOST_ASIO_HAS_STD_COROUTINE $$files

.PHONY: format format-check
FORMAT_FILES = $(shell git ls-files '*.cpp' '*.h')
format:
	clang-format -i $(FORMAT_FILES)
format-check: deps
	clang-format --dry-run -Werror $(FORMAT_FILES)

.PHONY: clean
clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(BENCH_BUILD) $(BUILD)-docker
