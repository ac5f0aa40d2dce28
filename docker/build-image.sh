#!/usr/bin/env bash
# Builds the FROM-scratch image from a built binary in the Docker engine DOCKER_HOST names and
# saves it as a `docker load`-able tar.   docker/build-image.sh BINARY TAG OUTPUT_TAR
# (`make image` runs it through docker/with-engine.sh.)
set -euo pipefail
binary=${1:?binary} tag=${2:?tag} out=${3:?output tar}
here=$(cd "$(dirname "$0")" && pwd)
[[ -x $binary ]] || { echo "build-image: $binary is not a built binary (run make build)" >&2; exit 1; }

# The build context holds only the binary, so nothing else can end up in the image.
ctx=$(mktemp -d /tmp/ecs-agent-image-ctx.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
cp "$binary" "$ctx/ecs-agent"
DOCKER_BUILDKIT=0 docker build --quiet -f "$here/Dockerfile" -t "$tag" "$ctx" >/dev/null
mkdir -p "$(dirname "$out")"
docker save -o "$out" "$tag"
echo "build-image: $tag saved to $out ($(du -h "$out" | cut -f1))"
