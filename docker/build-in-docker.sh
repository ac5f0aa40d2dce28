#!/usr/bin/env bash
# Builds the static binary inside Dockerfile.build on a Debian bookworm base image and copies it
# out.   docker/build-in-docker.sh BASE_IMAGE OUTPUT_BINARY
# The base image is used if the engine has it, else pulled, else bootstrapped locally.
# (`make build-in-docker` runs this through docker/with-engine.sh.)
set -euo pipefail
base=${1:?base image} out=${2:?output path}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

if ! docker image inspect "$base" >/dev/null 2>&1; then
  if ! docker pull "$base" >/dev/null 2>&1; then
    echo "build-in-docker: cannot pull $base; bootstrapping it locally" >&2
    "$here/bootstrap-base-image.sh" "$base"
  fi
fi
tag=ecs-agent-build:latest
# --network=host: the build installs Debian packages; the private engine has no bridge.
DOCKER_BUILDKIT=0 docker build --network=host --build-arg BASE_IMAGE="$base" \
  -f "$top/Dockerfile.build" -t "$tag" "$top"
cid=$(docker create "$tag" /bin/true)
trap 'docker rm -f "$cid" >/dev/null' EXIT
mkdir -p "$(dirname "$out")"
docker cp "$cid:/src/build/ecs-agent" "$out"
file "$out"
