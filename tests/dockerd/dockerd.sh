#!/usr/bin/env bash
# A private Docker engine for tests and image builds, isolated from any engine on the host.
#
#   dockerd.sh start STATE_FILE   start containerd + dockerd under a new temporary directory,
#                                 import the busybox test image, write STATE_FILE (KEY=VALUE)
#   dockerd.sh stop STATE_FILE    stop both, unmount and delete everything, remove STATE_FILE
#   dockerd.sh status STATE_FILE  exit 0 iff the engine of STATE_FILE answers
#   dockerd.sh restart STATE_FILE stop dockerd (SIGTERM) and start it again with the same
#                                 arguments; containerd keeps running
#
# ECS_TEST_DOCKERD_ARGS (start only) adds dockerd arguments, e.g. --live-restore; they are kept
# in STATE_FILE for restart.
#
# ECS_TEST_DOCKERD_NETNS=1 (start only) runs dockerd in a network namespace of its own (a file
# below the temporary directory, named as ECS_TEST_DOCKERD_NETNS in STATE_FILE) with its default
# bridge and its iptables rules, so that port mappings work; the host's network is not touched.
# Reach a published port from inside: nsenter --net=NETNS busybox wget http://127.0.0.1:PORT/
#
# ECS_TEST_DOCKERD_BINDS="SRC:DST ..." (start only) runs containerd and dockerd in a mount
# namespace of their own (a file below the temporary directory, named as ECS_TEST_DOCKERD_MNTNS in
# STATE_FILE) in which each directory SRC is bind-mounted on DST, so that the engine finds test
# files at a fixed host path (e.g. /var/lib/ecs/deps) while the host's own DST is never touched.
# A DST that does not exist is made, and removed at stop when it is still empty. A process that
# must see the same files (the agent under test) runs under: nsenter --mount=MNTNS PROGRAM
#
# Otherwise the engine runs with --iptables=false --bridge=none --storage-driver=vfs and its own socket,
# data-root, exec-root and pidfile, and its own containerd (a host's system containerd is never
# shared, so the host's containers are never touched). The busybox image is made from Debian's
# busybox-static; no registry is needed.
#
# When it cannot start: with CI=true it fails (exit 1); elsewhere it prints how to enable it and
# exits 0 without writing STATE_FILE, and the tests that need it skip with that message.
set -uo pipefail

BUSYBOX_IMAGE=ecs-test/busybox:latest
START_TIMEOUT_S=60

say() { printf 'dockerd.sh: %s\n' "$*" >&2; }

read_state() { # read_state FILE KEY
  sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n1
}

cannot_start() {
  say "cannot start a private Docker engine: $*"
  if [[ ${CI:-} == true ]]; then
    exit 1
  fi
  say "tests that need it will be skipped. To enable them: run as root on Debian 12 after"
  say "'scripts/deps.sh install' (installs docker.io and busybox-static), e.g. 'make test'."
  exit 0
}

kill_and_wait() { # kill_and_wait PID SECONDS
  local pid=$1 secs=$2 i
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  local state=$1 root
  root=$(read_state "$state" ECS_TEST_DOCKERD_ROOT)
  if [[ -z $root || ! -d $root ]]; then
    rm -f "$state"
    return 0
  fi
  # Containers first: with --live-restore they would outlive dockerd.
  local host ids
  host=$(read_state "$state" DOCKER_HOST)
  if [[ -n $host ]] && kill -0 "$(cat "$root/docker.pid" 2>/dev/null)" 2>/dev/null; then
    ids=$(DOCKER_HOST=$host timeout 30 docker ps -aq 2>/dev/null)
    # shellcheck disable=SC2086
    [[ -z $ids ]] || DOCKER_HOST=$host timeout 60 docker rm -f $ids >/dev/null 2>&1 || true
  fi
  kill -CONT "$(cat "$root/docker.pid" 2>/dev/null)" 2>/dev/null || true  # a test may have stopped it
  kill_and_wait "$(cat "$root/docker.pid" 2>/dev/null)" 20
  kill_and_wait "$(cat "$root/containerd.pid" 2>/dev/null)" 10
  # Shims and container processes that outlived their daemons.
  local pid
  for pid in $(pgrep -f "$root" 2>/dev/null); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  # Anything still mounted below the root (netns files, container mounts), deepest first.
  local mp
  for mp in $(awk -v r="$root" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r); do
    umount -l "$mp" 2>/dev/null || true
  done
  # Mount points made for ECS_TEST_DOCKERD_BINDS, deepest first, if nothing else filled them.
  local dir
  while read -r dir; do
    [[ -z $dir ]] || rmdir "$dir" 2>/dev/null || true
  done < <(sort -r "$root/made-dirs" 2>/dev/null)
  rm -rf "$root"
  rm -f "$state"
}

status() {
  local state=$1 host
  host=$(read_state "$state" DOCKER_HOST)
  [[ -n $host ]] && DOCKER_HOST=$host docker version >/dev/null 2>&1
}

make_busybox_tar() { # make_busybox_tar DIR TAR
  local dir=$1 tar=$2 applet
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/etc"
  cp /bin/busybox "$dir/bin/busybox"
  for applet in $("$dir/bin/busybox" --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$dir/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
  echo 'root:x:0:' >"$dir/etc/group"
  tar -C "$dir" -cf "$tar" .
}

# in_mntns MNTNS PROGRAM ARGS...: runs (execs) PROGRAM in mount namespace MNTNS, or as it is
# when MNTNS is empty.
in_mntns() {
  local mntns=$1
  shift
  if [[ -n $mntns ]]; then
    exec nsenter "--mount=$mntns" "$@"
  fi
  exec "$@"
}

# make_mntns ROOT BINDS: a persistent mount namespace at ROOT/mnt/ns with each SRC:DST of BINDS
# bind-mounted; prints its file. Made mount points are listed in ROOT/made-dirs for stop.
make_mntns() {
  local root=$1 binds=$2 b src dst d
  local ns=$root/mnt/ns
  # unshare can keep a mount namespace only on a mount that is not shared: a private bind of the
  # directory on itself.
  mkdir -p "$root/mnt" && mount --bind "$root/mnt" "$root/mnt" && mount --make-private "$root/mnt" &&
    touch "$ns" && unshare "--mount=$ns" --propagation private true || return 1
  for b in $binds; do
    src=${b%%:*} dst=${b#*:}
    [[ -d $src && $dst == /* ]] || { say "bad bind '$b' (want an existing SRC dir and an absolute DST)"; return 1; }
    d=$dst
    while [[ ! -e $d ]]; do
      echo "$d" >>"$root/made-dirs"
      d=$(dirname "$d")
    done
    mkdir -p "$dst" && nsenter "--mount=$ns" mount --bind "$src" "$dst" || return 1
  done
  echo "$ns"
}

# launch_dockerd ROOT EXTRA_ARGS [NETNS [MNTNS]]: starts dockerd (inside NETNS with its bridge,
# inside MNTNS, when given) and waits until it answers (exit 1 otherwise).
launch_dockerd() {
  local root=$1 extra=$2 netns=${3:-} mntns=${4:-} i
  local -a run=(dockerd --iptables=false --ip6tables=false --bridge=none)
  # nsenter execs dockerd, so $! below is dockerd's pid either way.
  [[ -z $netns ]] || run=(nsenter "--net=$netns" dockerd --ip6tables=false)
  run=(in_mntns "$mntns" "${run[@]}")
  # shellcheck disable=SC2086
  ("${run[@]}" --storage-driver=vfs \
    --host "unix://$root/docker.sock" --data-root "$root/data" --exec-root "$root/exec" \
    --pidfile "$root/docker.pid" --containerd "$root/containerd/containerd.sock" $extra) \
    >>"$root/dockerd.log" 2>&1 &
  local dockerd_pid=$!
  for ((i = 0; i < START_TIMEOUT_S * 10; i++)); do
    if DOCKER_HOST=unix://$root/docker.sock docker version >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 30 "$root/dockerd.log" >&2
  [[ -f $root/docker.pid ]] || echo "$dockerd_pid" >"$root/docker.pid"
  return 1
}

restart() {
  local state=$1 root
  root=$(read_state "$state" ECS_TEST_DOCKERD_ROOT)
  [[ -n $root && -d $root ]] || { say "no engine in $state"; exit 1; }
  local pid
  pid=$(cat "$root/docker.pid" 2>/dev/null)
  kill -CONT "$pid" 2>/dev/null || true
  kill_and_wait "$pid" 20
  rm -f "$root/docker.pid"
  launch_dockerd "$root" "$(read_state "$state" ECS_TEST_DOCKERD_ARGS)" "$(read_state "$state" ECS_TEST_DOCKERD_NETNS)" \
    "$(read_state "$state" ECS_TEST_DOCKERD_MNTNS)" ||
    { say "dockerd did not come back"; exit 1; }
}

start() {
  local state=$1
  [[ -f $state ]] && stop "$state"
  [[ $(id -u) -eq 0 ]] || cannot_start "it needs root (running as $(id -un))"
  local bin
  for bin in dockerd containerd runc docker; do
    command -v "$bin" >/dev/null || cannot_start "'$bin' is not installed"
  done
  [[ -x /bin/busybox ]] || cannot_start "/bin/busybox (busybox-static) is not installed"

  local root
  root=$(mktemp -d /tmp/ecs-agent-dockerd.XXXXXX) || cannot_start "mktemp failed"
  mkdir -p "$root/containerd"
  # Written first, so that `stop` can clean up whatever part of the start happened.
  mkdir -p "$(dirname "$state")"
  printf 'ECS_TEST_DOCKERD_ROOT=%s\n' "$root" >"$state"

  cat >"$root/containerd/config.toml" <<EOF
version = 2
root = "$root/containerd/root"
state = "$root/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$root/containerd/containerd.sock"
[ttrpc]
  address = "$root/containerd/containerd.sock.ttrpc"
[debug]
  address = "$root/containerd/debug.sock"
EOF
  # containerd too: runc finds a bind's source in the mount namespace of containerd's shim.
  local mntns=""
  if [[ -n ${ECS_TEST_DOCKERD_BINDS:-} ]]; then
    if ! mntns=$(make_mntns "$root" "$ECS_TEST_DOCKERD_BINDS"); then
      stop "$state"
      cannot_start "cannot make a mount namespace with the binds '$ECS_TEST_DOCKERD_BINDS'"
    fi
  fi
  (in_mntns "$mntns" containerd --config "$root/containerd/config.toml") >"$root/containerd.log" 2>&1 &
  echo $! >"$root/containerd.pid"

  local i
  for ((i = 0; i < START_TIMEOUT_S * 10; i++)); do
    [[ -S $root/containerd/containerd.sock ]] && break
    sleep 0.1
  done
  if [[ ! -S $root/containerd/containerd.sock ]]; then
    tail -n 20 "$root/containerd.log" >&2
    stop "$state"
    cannot_start "containerd did not come up"
  fi

  local netns=""
  if [[ ${ECS_TEST_DOCKERD_NETNS:-} == 1 ]]; then
    netns=$root/netns
    # A persistent namespace: unshare bind-mounts it on the file (stop unmounts it).
    if ! touch "$netns" || ! unshare --net="$netns" true || ! nsenter --net="$netns" ip link set lo up; then
      stop "$state"
      cannot_start "cannot make a network namespace for dockerd (unshare/nsenter/ip)"
    fi
  fi

  export DOCKER_HOST=unix://$root/docker.sock
  if ! launch_dockerd "$root" "${ECS_TEST_DOCKERD_ARGS:-}" "$netns" "$mntns"; then
    stop "$state"
    cannot_start "dockerd did not answer within ${START_TIMEOUT_S}s"
  fi

  make_busybox_tar "$root/busybox-rootfs" "$root/busybox.tar"
  if ! docker import "$root/busybox.tar" "$BUSYBOX_IMAGE" >/dev/null; then
    stop "$state"
    cannot_start "importing the busybox image failed"
  fi
  rm -rf "$root/busybox-rootfs" "$root/busybox.tar"

  cat >"$state" <<EOF
ECS_TEST_DOCKERD_ROOT=$root
DOCKER_HOST=$DOCKER_HOST
ECS_TEST_BUSYBOX_IMAGE=$BUSYBOX_IMAGE
ECS_TEST_DOCKERD_ARGS=${ECS_TEST_DOCKERD_ARGS:-}
ECS_TEST_DOCKERD_NETNS=$netns
ECS_TEST_DOCKERD_MNTNS=$mntns
EOF
  say "private dockerd up at $DOCKER_HOST (state in $state)"
}

case ${1:-} in
  start) start "${2:?state file}" ;;
  stop) stop "${2:?state file}" ;;
  status) status "${2:?state file}" ;;
  restart) restart "${2:?state file}" ;;
  *)
    say "usage: $0 start|stop|status|restart STATE_FILE"
    exit 2
    ;;
esac
