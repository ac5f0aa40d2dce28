#!/usr/bin/env bash
# A Debian bookworm root with systemd, for booting with systemd-nspawn in the package tests:
#   tests/packaging/systemd-root.sh DEST
# debootstrap (minbase + systemd) once, cached as a tarball next to the other dependencies
# (ECS_DEPS_CACHE), then unpacked into DEST (a new or empty directory) in seconds.
set -euo pipefail
dest=${1:?destination directory}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org}
cache=${ECS_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ecs-agent-deps}/bootstrap
tarball=$cache/debian-bookworm-systemd.tar
if [[ ! -f $tarball ]]; then
  command -v debootstrap >/dev/null || { echo "systemd-root: debootstrap missing (scripts/deps.sh install)" >&2; exit 1; }
  mkdir -p "$cache"
  root=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  echo "systemd-root: debootstrap bookworm with systemd from $mirror (about a minute)" >&2
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$root" "$mirror/debian" \
    >"$cache/debootstrap-systemd.log" 2>&1 || { tail -n 30 "$cache/debootstrap-systemd.log" >&2; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  # No login prompt on the console: the tests drive the booted system with nsenter.
  ln -sf /dev/null "$root/etc/systemd/system/console-getty.service"
  tar -C "$root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
fi
mkdir -p "$dest"
tar -C "$dest" -xf "$tarball"
# As on an installed host (debootstrap writes none): the local control plane is named localhost.
[[ -s $dest/etc/hosts ]] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$dest/etc/hosts"
