#!/usr/bin/env bash
# `make run`: the agent against ecs-local-control-plane on this machine, no AWS account needed.
#
#   scripts/run-local.sh BUILD_DIR [RUN_DIR]
#
# Starts the local control plane (ECS API + ACS on 127.0.0.1 with a CA it generates), then the
# agent configured by the file the control plane writes. Both print what they do: the agent
# registers, connects to ACS (SigV4 verified), acknowledges a payload, and its credentials
# endpoint answers with the task's credentials (secrets masked by the control plane). Ctrl-C
# stops both (the agent exits 0 within 5 s).
#
# AGENT_INTROSPECTION_ADDR / AGENT_CREDENTIALS_ADDR change the agent's ports (defaults
# 127.0.0.1:51678 / 127.0.0.1:51679).
set -euo pipefail

build=${1:?build directory}
run_dir=${2:-$build/run-local}
introspection=${AGENT_INTROSPECTION_ADDR:-127.0.0.1:51678}
credentials=${AGENT_CREDENTIALS_ADDR:-127.0.0.1:51679}

rm -rf "$run_dir"
mkdir -p "$run_dir"

cp_pid=
agent_pid=
stop_all() {
  trap - INT TERM EXIT
  [[ -n $agent_pid ]] && kill -INT "$agent_pid" 2>/dev/null || true
  [[ -n $cp_pid ]] && kill -INT "$cp_pid" 2>/dev/null || true
  local status=0
  if [[ -n $agent_pid ]]; then
    wait "$agent_pid" || status=$?
    echo "run-local: the agent exited with $status"
  fi
  [[ -n $cp_pid ]] && wait "$cp_pid" 2>/dev/null || true
  exit "$status"
}
trap stop_all INT TERM EXIT

"$build/ecs-local-control-plane" --dir "$run_dir" --agent-credentials-addr "$credentials" &
cp_pid=$!
for _ in $(seq 1 100); do
  [[ -s $run_dir/agent.env ]] && break
  sleep 0.1
done
[[ -s $run_dir/agent.env ]] || { echo "run-local: the control plane did not start" >&2; exit 1; }

# The control plane's settings win over this shell's (e.g. an AWS_CA_BUNDLE set for other tools).
set -a
# shellcheck disable=SC1091
. "$run_dir/agent.env"
set +a
ECS_CONFIG_FILE="$run_dir/agent.env" ECS_INTROSPECTION_ADDR="$introspection" ECS_CREDENTIALS_ADDR="$credentials" \
  "$build/ecs-agent" &
agent_pid=$!
echo "run-local: agent pid $agent_pid, introspection on http://$introspection/v1/metadata; Ctrl-C stops both"
wait "$agent_pid" || true
agent_pid=
echo "run-local: the agent stopped on its own"
