#!/usr/bin/env bash
# Runs a command with DOCKER_HOST pointing at a Docker engine: the one that already answers
# (DOCKER_HOST or the default socket), else a temporary private engine (tests/dockerd/dockerd.sh)
# that is stopped when the command ends.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if docker version >/dev/null 2>&1; then
  exec "$@"
fi
echo "with-engine: no Docker engine answers; starting a temporary private one" >&2
state=$(mktemp /tmp/ecs-agent-engine-state.XXXXXX)
trap '"$here/../tests/dockerd/dockerd.sh" stop "$state"' EXIT
CI=true "$here/../tests/dockerd/dockerd.sh" start "$state"
DOCKER_HOST=$(sed -n 's/^DOCKER_HOST=//p' "$state")
export DOCKER_HOST
"$@"
