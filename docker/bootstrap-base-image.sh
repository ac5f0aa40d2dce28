#!/usr/bin/env bash
# Makes a Debian bookworm base image without any registry: debootstrap (minbase) into a
# directory, then `docker import`. The root filesystem tarball is cached next to the other
# dependencies, so later imports take seconds.   docker/bootstrap-base-image.sh TAG
set -euo pipefail
tag=${1:?image tag}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org}
cache=${ECS_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ecs-agent-deps}/bootstrap
tarball=$cache/debian-bookworm-minbase.tar

if [[ ! -f $tarball ]]; then
  command -v debootstrap >/dev/null || { echo "bootstrap: debootstrap missing (scripts/deps.sh install-extra)" >&2; exit 1; }
  mkdir -p "$cache"
  root=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  echo "bootstrap: debootstrap bookworm from $mirror (a few minutes)" >&2
  debootstrap --variant=minbase bookworm "$root" "$mirror/debian" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 30 "$cache/debootstrap.log" >&2; exit 1; }
  cat >"$root/etc/apt/sources.list" <<EOS
deb $mirror/debian bookworm main
deb $mirror/debian bookworm-updates main
deb $mirror/debian-security bookworm-security main
EOS
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
fi
docker import "$tarball" "$tag" >/dev/null
echo "bootstrap: imported $tag from $tarball"
