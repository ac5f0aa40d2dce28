#!/usr/bin/env bash
# Shared by the package tests: assertions that count failures, and the packages built once.
# shellcheck disable=SC2034
failures=0
pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
check_eq() { # check_eq DESCRIPTION EXPECTED ACTUAL
  if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}
finish() {
  if ((failures > 0)); then
    echo "$(basename "$0"): $failures check(s) failed"
    exit 1
  fi
  echo "$(basename "$0"): every check passed"
}
# skip REASON: a test that cannot run here. With CI=true that is a failure; elsewhere exit 77,
# which CTest reports as skipped (SKIP_RETURN_CODE), with the reason.
skip() {
  [[ ${CI:-} == true ]] && { echo "$(basename "$0"): cannot run: $*"; exit 1; }
  echo "SKIP: $*"
  exit 77
}
# need VAR: the test's input from CTest, or a clear error
need() { [[ -n ${!1:-} ]] || { echo "$(basename "$0"): $1 is not set (run through ctest)" >&2; exit 2; }; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_for SECONDS COMMAND...: until the command succeeds; false on timeout
wait_for() {
  local secs=$1 i
  shift
  for ((i = 0; i < secs * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}
