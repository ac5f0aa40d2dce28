#!/usr/bin/env bash
# `make run`: the agent against ecs-local-control-plane on this machine, no AWS account needed.
#
#   scripts/run-local.sh BUILD_DIR [RUN_DIR]
#
# Starts a private Docker engine (tests/dockerd/dockerd.sh: its own containerd, dockerd, socket
# and data under /tmp, a busybox image imported from Debian's busybox-static; it needs root),
# the local control plane (ECS API + ACS on 127.0.0.1 with a CA it generates), then the agent
# configured by the file the control plane writes. All print what they do: the agent
# registers, connects to ACS (SigV4 verified), acknowledges a payload, pulls/creates/starts the
# task's two containers, reports them RUNNING (SubmitTaskStateChange), stops them when the
# control plane sends desiredStatus STOPPED, reports STOPPED with the exit codes and removes
# the containers 10 s later. Ctrl-C stops everything (the agent exits 0 within 5 s) and the
# private engine is removed.
#
# Without root or Docker's programs the run goes on without an engine: the control plane then
# sends tasks with no image and checks the credentials endpoint instead.
#
# AGENT_INTROSPECTION_ADDR / AGENT_CREDENTIALS_ADDR change the agent's ports (defaults
# 127.0.0.1:51678 / 127.0.0.1:51679). RUN_LOCAL_DOCKERD_STATE names the state file of an
# engine started by `tests/dockerd/dockerd.sh start FILE` to use instead (it is left running).
set -euo pipefail

build=${1:?build directory}
run_dir=${2:-$build/run-local}
introspection=${AGENT_INTROSPECTION_ADDR:-127.0.0.1:51678}
credentials=${AGENT_CREDENTIALS_ADDR:-127.0.0.1:51679}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dockerd_script=$here/../tests/dockerd/dockerd.sh

# An engine that a killed earlier run left behind goes first.
[[ -f $run_dir/dockerd.env ]] && "$dockerd_script" stop "$run_dir/dockerd.env"
rm -rf "$run_dir"
mkdir -p "$run_dir"

cp_pid=
agent_pid=
own_dockerd=
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
  if [[ -n $own_dockerd ]]; then
    echo "run-local: removing the private Docker engine"
    "$dockerd_script" stop "$own_dockerd" || true
  fi
  exit "$status"
}
trap stop_all INT TERM EXIT

# The Docker engine the agent runs tasks on.
docker_state=${RUN_LOCAL_DOCKERD_STATE:-}
if [[ -z $docker_state ]]; then
  echo "run-local: starting a private Docker engine (tests/dockerd/dockerd.sh)…"
  own_dockerd=$run_dir/dockerd.env
  env -u CI "$dockerd_script" start "$own_dockerd" || true
  docker_state=$own_dockerd
fi
docker_host=$(sed -n 's/^DOCKER_HOST=//p' "$docker_state" 2>/dev/null | head -n1)
image=$(sed -n 's/^ECS_TEST_BUSYBOX_IMAGE=//p' "$docker_state" 2>/dev/null | head -n1)
cp_args=(--dir "$run_dir" --agent-credentials-addr "$credentials" --agent-introspection-addr "$introspection")
if [[ -n $docker_host && -n $image ]]; then
  echo "run-local: the agent runs tasks on $docker_host (image $image)"
  cp_args+=(--image "$image")
else
  echo "run-local: no Docker engine (see above): tasks are acknowledged but not run" >&2
  own_dockerd=
  docker_host=unix://$run_dir/no-docker.sock
fi

"$build/ecs-local-control-plane" "${cp_args[@]}" &
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
  DOCKER_HOST="$docker_host" "$build/ecs-agent" &
agent_pid=$!
echo "run-local: agent pid $agent_pid, introspection on http://$introspection/v1/metadata; Ctrl-C stops both"
wait "$agent_pid" || true
agent_pid=
echo "run-local: the agent stopped on its own"
